/**
 * `npm run bench -- observability`: what metrics and tracing cost. The same job
 * (`examples/ctr.yaml`, 2 shards, 2 workers) runs with observability off and on, in
 * alternating pairs so that a busy machine hurts both sides alike. "On" is what an
 * operator turns on: the Prometheus endpoint scraped every second, and traces to file
 * at the default sampling (observability.traceSampleRatio, 0.01). Throughput is the
 * workers' training-loop rate from their heartbeats (colony-run.ts), which leaves out
 * start-up and the final evaluation. Because whole jobs on a shared machine vary more
 * than the effect, it also measures the instrumentation in process
 * (instrumentation-cost.ts) and states it as a share of a step. The floor (issue 8):
 * under 5% lost.
 *
 * Writes bench/results/observability-overhead.json and .md (with --quick into
 * bench/tmp/results/) and prints a one-line summary on stdout; progress on stderr.
 * Flags: --pairs N (default 3; --quick 1), --rows N (default 200,000; --quick 50,000),
 * --quick, --out DIR.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BenchSetupError } from "./bench-errors.js";
import { runColonyUp } from "./colony-run.js";
import { ensureCtrData } from "./ctr-data.js";
import { measureInstrumentationCost } from "./instrumentation-cost.js";
import { describeMachine, detectMachine } from "./machine.js";
import { repoRoot } from "./repo-root.js";

const CONFIG = "examples/ctr.yaml";
const TMP = "bench/tmp";
const FLOOR_LOST = 0.05;

/** One run's outcome. */
interface RunSample { readonly observability: "off" | "on"; readonly loopSamplesPerSec: number; readonly wallSeconds: number; readonly scrapes: number }

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

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function runOnce(root: string, on: boolean, data: { train: string; test: string }, log: (l: string) => void): Promise<RunSample> {
  const runDir = path.join(root, TMP, `run-observability-${on ? "on" : "off"}`);
  await mkdir(runDir, { recursive: true });
  const port = await freePort();
  const set = on ? [`observability.prometheusPort=${port}`, "observability.traces=file"] : [];
  let scrapes = 0;
  let scraping = on;
  const scraper = (async () => {
    while (scraping) {
      // A Prometheus server scraping once a second: the collection runs in the root supervisor.
      await fetch(`http://127.0.0.1:${port}/metrics`).then(async (r) => { await r.text(); scrapes++; }, () => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    const run = await runColonyUp({
      root, config: CONFIG, runDir, train: data.train, test: data.test, timeoutMs: 15 * 60_000,
      stderrFile: path.join(runDir, "up.stderr.log"), set,
    });
    if (!run.heartbeats.available) throw new BenchSetupError(`no training-loop rate for observability ${on ? "on" : "off"}: ${run.heartbeats.reason}`);
    const sample: RunSample = { observability: on ? "on" : "off", loopSamplesPerSec: run.heartbeats.loopSamplesPerSec, wallSeconds: run.wallSeconds, scrapes };
    log(`observability ${sample.observability}: ${Math.round(sample.loopSamplesPerSec).toLocaleString("en-US")} samples/s (${scrapes} scrapes)`);
    return sample;
  } finally {
    scraping = false;
    await scraper;
  }
}

/** Runs the overhead benchmark and records its result. */
export async function observabilityMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { pairs: { type: "string" }, rows: { type: "string" }, quick: { type: "boolean" }, out: { type: "string" } } });
  const quick = values.quick ?? false;
  const pairs = Number(values.pairs ?? (quick ? 1 : 3));
  const rows = Number(values.rows ?? (quick ? 50_000 : 200_000));
  if (!Number.isInteger(pairs) || pairs < 1) throw new BenchSetupError(`--pairs must be a positive integer, got ${values.pairs}`);
  if (!Number.isInteger(rows) || rows < 10_000) throw new BenchSetupError(`--rows must be an integer >= 10000, got ${values.rows}`);
  const root = repoRoot(fileURLToPath(import.meta.url));
  const out = path.resolve(root, values.out ?? (quick ? `${TMP}/results` : "bench/results"));
  const log = (l: string): void => { process.stderr.write(`bench: ${l}\n`); };
  const data = await ensureCtrData({ root, dir: path.join(root, TMP, "data"), rows, log });

  const samples: RunSample[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side goes first, so a trend in the machine's load cancels out.
    const order = i % 2 === 0 ? [false, true] : [true, false];
    for (const on of order) samples.push(await runOnce(root, on, data, log));
  }
  const rates = (side: "off" | "on"): number[] => samples.filter((s) => s.observability === side).map((s) => s.loopSamplesPerSec);
  const off = median(rates("off"));
  const on = median(rates("on"));
  const lost = 1 - on / off;
  // Same setting, different runs: a difference smaller than this spread is not resolved by these runs.
  const spread = Math.max(...(["off", "on"] as const).map((side) => (Math.max(...rates(side)) - Math.min(...rates(side))) / median(rates(side))));
  log("measuring the in-process cost of step spans and of a scrape");
  const cost = await measureInstrumentationCost();
  // A worker step's time in these runs: each of the 2 workers trains 2048-row batches (examples/ctr.yaml).
  const stepMs = (2 * 2048 * 1000) / off;
  const tracingShareOfStep = (cost.stepSpansOnUs - cost.stepSpansOffUs) / 1000 / stepMs;
  const machine = detectMachine();
  const record = {
    benchmark: "observability-overhead", date: new Date().toISOString(), machine, rows, pairs,
    on: "Prometheus endpoint scraped every 1 s + traces to file at traceSampleRatio 0.01 (default)",
    samples, medianOffSamplesPerSec: off, medianOnSamplesPerSec: on, lostFraction: lost, sameSettingSpread: spread, resolved: Math.abs(lost) > spread,
    instrumentation: cost, stepMs, tracingShareOfStep,
    floorLostFraction: FLOOR_LOST, meetsFloor: lost < FLOOR_LOST && tracingShareOfStep < FLOOR_LOST,
  };
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, "observability-overhead.json"), `${JSON.stringify(record, null, 2)}\n`);
  const md = [
    `# Observability overhead (${record.date})`, "",
    `${describeMachine(machine)}; ${rows.toLocaleString("en-US")} train rows, ${pairs} off/on pairs; "on": ${record.on}.`, "",
    "| run | observability | training loop, samples/s | wall, s | scrapes |", "| --- | --- | ---: | ---: | ---: |",
    ...samples.map((s, i) => `| ${i + 1} | ${s.observability} | ${Math.round(s.loopSamplesPerSec).toLocaleString("en-US")} | ${s.wallSeconds.toFixed(1)} | ${s.scrapes} |`),
    "", `Median off ${Math.round(off).toLocaleString("en-US")}, on ${Math.round(on).toLocaleString("en-US")} samples/s: ${(lost * 100).toFixed(1)}% lost (floor: under ${FLOOR_LOST * 100}%). `
      + `Runs of one setting differ by up to ${(spread * 100).toFixed(0)}% of their median, so this difference is ${record.resolved ? "" : "not "}resolved by these runs.`,
    "", `In process (no noise from other jobs): a step's span calls cost ${cost.stepSpansOffUs.toFixed(1)} µs with tracing off and `
      + `${cost.stepSpansOnUs.toFixed(1)} µs on at ratio ${cost.sampleRatio}; a worker step here takes ${stepMs.toFixed(0)} ms, so tracing costs `
      + `${(tracingShareOfStep * 100).toFixed(4)}% of it. One scrape of a 2-shard, 2-worker board takes ${cost.scrapeMs.toFixed(2)} ms in the root supervisor (median of ${cost.scrapes}), off the training path.`,
    "",
  ].join("\n");
  await writeFile(path.join(out, "observability-overhead.md"), md);
  process.stdout.write(`${JSON.stringify({
    medianOffSamplesPerSec: Math.round(off), medianOnSamplesPerSec: Math.round(on), lostPercent: Math.round(lost * 1000) / 10, resolved: record.resolved,
    tracingPercentOfStep: Math.round(tracingShareOfStep * 1e6) / 1e4, scrapeMs: Math.round(cost.scrapeMs * 100) / 100, meetsFloor: record.meetsFloor,
  })}\n`);
}
