/**
 * One run of the observability benchmark: `colony up examples/ctr.yaml` with
 * observability off or on, measured two ways. Wall-clock: the workers' steady
 * training-loop rate from their heartbeats (colony-run.ts), which other jobs on a shared
 * machine move a lot. CPU: CPU seconds of the whole cluster (supervisor, nats-server,
 * coordinator, shards, workers) per row trained, inside the training loop and over the
 * whole job (loop-cpu.ts); other jobs move that much less, since waiting for a core costs
 * no CPU time. Each run gets its own cluster name, so two can run side by side.
 */
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { BenchSetupError } from "./bench-errors.js";
import { runColonyUp } from "./colony-run.js";
import { LoopCpuWatch, type LoopCpu } from "./loop-cpu.js";
import type { ProcessTreeCpu } from "./process-tree-cpu.js";

/**
 * The settings compared: off (the defaults); on (the Prometheus endpoint, scraped every
 * second, and traces to file at the default sampling, 0.01; the held-out evaluation at
 * its default, off); on+eval (on, plus the held-out evaluation every 5 s on 2048 rows).
 */
export const Setting = { Off: "off", On: "on", OnWithEval: "on+eval" } as const;
export type Setting = (typeof Setting)[keyof typeof Setting];

/** What each setting sets beyond the Prometheus port. */
export const SETTINGS: Readonly<Record<Setting, readonly string[]>> = {
  off: [],
  on: ["observability.traces=file"],
  "on+eval": ["observability.traces=file", "observability.evalEveryMs=5000", "observability.evalRows=2048"],
};

const CONFIG = "examples/ctr.yaml";
/**
 * Set on every run, whatever the setting: on this shared machine an actor can go without
 * the CPU to send a heartbeat for more than the default 5 s, and a restart spoils the
 * run (the loop CPU refuses a restarted worker), so the supervisor waits 30 s.
 */
const EVERY_RUN = ["supervision.heartbeatTimeoutMs=30000"];
const SCRAPE_EVERY_MS = 1000;

/** CPU of a whole `colony up`, from spawn to its last read (at most 250 ms before exit). */
export interface JobCpu { readonly cpuSeconds: number; readonly rows: number }

/** One run's outcome. */
export interface RunSample {
  readonly observability: Setting;
  /** Steady training-loop rate (the loop's whole-window rate where the steady one is missing). */
  readonly samplesPerSec: number;
  readonly loopSamplesPerSec: number;
  readonly wallSeconds: number;
  readonly scrapes: number;
  /** Held-out evaluations the coordinator took (0 when off). */
  readonly evaluations: number;
  /** The cluster's CPU inside the training loop. */
  readonly loopCpu: LoopCpu;
  /** The cluster's CPU over the whole job; undefined off Linux. */
  readonly jobCpu: JobCpu | undefined;
}

/** A free loopback port (closed again before the cluster binds it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A finished run, and its CPU per row within any part of its loop (for the part two runs side by side share). */
export interface ObservedRun {
  readonly sample: RunSample;
  loopCpuWithin(window: { readonly from: number; readonly to: number }): LoopCpu;
}

/** Runs the job once with one setting; throws BenchSetupError when the loop rate can't be timed. */
export async function runObservabilityOnce(opts: {
  root: string;
  tmp: string;
  setting: Setting;
  /** Cluster name (and run directory) of this run, unique among runs going at once. */
  cluster: string;
  data: { train: string; test: string };
  tree: ProcessTreeCpu;
  log: (line: string) => void;
}): Promise<ObservedRun> {
  const { root, setting, tree } = opts;
  const on = setting !== Setting.Off;
  const runDir = path.join(root, opts.tmp, `run-${opts.cluster}`);
  await mkdir(runDir, { recursive: true });
  const port = await freePort();
  const set = [`cluster=${opts.cluster}`, ...EVERY_RUN, ...(on ? [`observability.prometheusPort=${port}`] : []), ...SETTINGS[setting]];
  let scrapes = 0;
  let scraping = on;
  const scraper = (async () => {
    while (scraping) {
      // A Prometheus server scraping once a second: the collection runs in the root supervisor (in the measured tree); this loop does not.
      await fetch(`http://127.0.0.1:${port}/metrics`).then(async (r) => { await r.text(); scrapes++; }, () => undefined);
      await new Promise((r) => setTimeout(r, SCRAPE_EVERY_MS));
    }
  })();
  const watch = new LoopCpuWatch(tree);
  try {
    const run = await runColonyUp({
      root, config: CONFIG, runDir, train: opts.data.train, test: opts.data.test, timeoutMs: 15 * 60_000,
      stderrFile: path.join(runDir, "up.stderr.log"), set, onSpawn: watch.onSpawn, onHeartbeat: watch.onHeartbeat,
    });
    if (!run.heartbeats.available) throw new BenchSetupError(`no training-loop rate for observability ${setting}: ${run.heartbeats.reason}`);
    const coordinator = run.heartbeats.actors.find((a) => a.kind === "coordinator");
    const loopCpu = watch.result();
    const sample: RunSample = {
      observability: setting, samplesPerSec: run.heartbeats.steadySamplesPerSec ?? run.heartbeats.loopSamplesPerSec,
      loopSamplesPerSec: run.heartbeats.loopSamplesPerSec, wallSeconds: run.wallSeconds, scrapes, evaluations: coordinator?.counters["eval.done"] ?? 0,
      loopCpu,
      jobCpu: watch.jobCpuSeconds === undefined ? undefined : { cpuSeconds: watch.jobCpuSeconds, rows: run.result.rows },
    };
    const cpuText = loopCpu.available
      ? `${((loopCpu.cpuSeconds / loopCpu.rows) * 1e6).toFixed(1)} CPU-µs/row in the loop (${loopCpu.coresBusy.toFixed(2)} cores busy)`
      : `no loop CPU: ${loopCpu.reason}`;
    opts.log(`observability ${sample.observability}: ${Math.round(sample.samplesPerSec).toLocaleString("en-US")} samples/s steady, ${cpuText}, `
      + `${sample.jobCpu === undefined ? "?" : sample.jobCpu.cpuSeconds.toFixed(1)} CPU-s for the job (${scrapes} scrapes, ${sample.evaluations} evaluations)`);
    return { sample, loopCpuWithin: (window) => watch.result(window) };
  } finally {
    watch.stop();
    scraping = false;
    await scraper;
  }
}
