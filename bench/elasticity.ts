/**
 * `npm run bench -- elasticity`: how fast a running cluster absorbs change. One cluster
 * (`examples/ctr.yaml`, 2 shards, 2 workers, a job long enough to outlast the run) is
 * started through the CLI; then, repetition after repetition, with the cluster steady
 * before each event: `colony scale` up by one worker and back down, kill -9 of a worker,
 * SIGSTOP of a worker (found by heartbeat timeout), kill -9 of a shard. Each event is
 * timed from log lines (see elasticity-events.ts); the cluster is then stopped with
 * `colony down`. Median and max of each timing go next to issue 3's floors.
 *
 * Writes bench/results/elasticity.json and elasticity.md (with --quick, fewer
 * repetitions, into bench/tmp/results/ so a recorded result is never replaced) and
 * prints a one-line summary on stdout; progress goes to stderr.
 *
 * Flags: --reps N (default 5; --quick: 2), --quick, --out DIR.
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { StatusReply } from "../protocols/index.js";
import { BenchSetupError } from "./bench-errors.js";
import { ensureCtrData } from "./ctr-data.js";
import { ElasticCluster } from "./elastic-cluster.js";
import {
  faultWorker, killShard, scaleDown, scaleUp,
  type ScaleDownSample, type ScaleUpSample, type ShardKillSample, type WorkerFaultSample,
} from "./elasticity-events.js";
import { elasticityMarkdown, summarise, type ElasticityRecord } from "./elasticity-report.js";
import { detectMachine } from "./machine.js";
import { repoRoot } from "./repo-root.js";

/** The elasticity benchmark's knobs. */
export interface ElasticityOptions {
  readonly reps: number;
  readonly quick: boolean;
  readonly out?: string;
}

const CONFIG = "examples/ctr.yaml";
const TMP = "bench/tmp";
const CLUSTER = "bench-elastic";
const TRAIN_ROWS = 100_000;
const WORKERS = 2;
const SHARDS = 2;
const HEARTBEAT_TIMEOUT_MS = 5000;
/** Quiet time before each event: the 5 s rate window before it, and no overlap with the last one's aftermath. */
const SETTLE_MS = 5000;
const STEADY_TIMEOUT_MS = 90_000;
const WORKING = new Set(["leasing", "training", "reporting", "waiting"]);

/** The cluster's overrides of examples/ctr.yaml; recorded in the results. */
function overrides(train: string, test: string): string[] {
  return [
    `job.data.path=${train}`, `job.data.eval=${test}`,
    // Far more rows than the run trains: `colony down` ends it.
    "job.epochs=100",
    `workers.count=${WORKERS}`, `shards.count=${SHARDS}`,
    // A shard's `state` line into `serving` is a debug line.
    "log.level=debug",
    // A child that ran 10 s starts its backoff over, so every restart here is a first
    // failure (100 ms ± 20 %), as for an isolated fault; the record keeps each delay.
    "supervision.periodMs=10000",
    `supervision.heartbeatTimeoutMs=${HEARTBEAT_TIMEOUT_MS}`,
  ];
}

const METHOD = [
  "Clock: epoch milliseconds, all processes on one machine. An event starts at the benchmark's own clock just before it spawns `colony scale` or sends the signal (`process.kill`).",
  "Supervisor side: the `time` of the root supervisor's pino lines on `colony up --json`'s stderr: `actor crashed` (exit seen), `actor unresponsive; killing it` (heartbeat timeout), `actor restarting` (with the backoff it chose), `actor started` (new process spawned, with its pid).",
  "Actor side: the `time` of the new incarnation's own lines in RUN/logs/<id>.log, matched by pid: `actor started` (modules loaded, NATS connected), a worker's `first task leased` and `first batch pushed` (logged once per process, once its first push has been acknowledged), a shard's debug `state` line into `serving` (snapshot restored, partition map received: pulls and pushes are answered from then on).",
  "A SIGSTOPped worker is declared silent 5 s (supervision.heartbeatTimeoutMs, the default) after its last heartbeat, which came up to 1 s before the signal; the supervisor checks every 500 ms. So detection lands between about 4 and 5.5 s after the signal.",
  "`colony status --json` is polled between events: before each one the coordinator is training, every desired worker is working with a heartbeat under 2 s old, every shard is serving, and then the cluster runs 5 s untouched.",
  "Training rates come from the workers' heartbeats (once a second each, carrying rows trained), subscribed to directly; `workers training again` after a shard kill is the first heartbeat showing more rows than at the moment the shard served again, so it carries ±1 s.",
  "Victims rotate (kill -9 worker-(i mod 2), SIGSTOP the other, kill -9 shard-(i mod 2)); the scale event adds worker-2 and removes it again. Scale time counts the whole `colony scale` command, Node start-up of the CLI included.",
  "The supervisor keeps one standby worker process (`workers.standby`, default on): modules loaded, NATS connected, waiting for an id. A scale-up or a replacement takes it, so `actor started` then marks the assignment, not a Node start-up; a new standby starts 3 s later. A second new worker within those 3 s starts from scratch.",
  "The machine's 2 cores were shared with other engineers' builds and tests while this ran: the figures are noisy, and the load averages below say how busy it was.",
];

/** Runs the benchmark and writes its result files; resolves with the record. */
export async function runElasticityBench(opts: ElasticityOptions, log: (line: string) => void): Promise<ElasticityRecord> {
  const root = repoRoot(path.dirname(fileURLToPath(import.meta.url)));
  for (const needed of ["dist/bin/colony.js", CONFIG]) {
    if (!existsSync(path.join(root, needed))) throw new BenchSetupError(`${needed} is missing; run \`npm run setup\` (builds dist/) first`);
  }
  const started = new Date();
  const machine = detectMachine();
  const tmp = path.join(root, TMP);
  const data = await ensureCtrData({ root, dir: tmp, rows: TRAIN_ROWS, log });
  const rel = (p: string): string => path.relative(root, p);
  const sets = overrides(rel(data.train), rel(data.test));
  const runDir = path.join(tmp, "run-elasticity");
  await rm(runDir, { recursive: true, force: true });

  log(`colony up ${CONFIG} (${SHARDS} shards, ${WORKERS} workers, ${opts.reps} repetitions)`);
  const cluster = await ElasticCluster.start({
    root, name: CLUSTER, runDir, home: path.join(tmp, "elasticity-home"), config: CONFIG, sets, timeoutMs: 60 * 60_000,
  });
  const samples = {
    scaleUp: [] as ScaleUpSample[], scaleDown: [] as ScaleDownSample[],
    killWorker: [] as WorkerFaultSample[], stopWorker: [] as WorkerFaultSample[], killShard: [] as ShardKillSample[],
  };
  try {
    await steady(cluster, WORKERS, "the cluster training");
    for (let i = 0; i < opts.reps; i++) {
      const rep = `repetition ${i + 1}/${opts.reps}`;
      const up = await scaleUp(cluster, WORKERS);
      samples.scaleUp.push(up);
      log(`${rep}: scale ${WORKERS}→${WORKERS + 1}: first push after ${up.pushMs} ms`);
      await steady(cluster, WORKERS + 1, "three working workers");
      const down = await scaleDown(cluster, WORKERS + 1);
      samples.scaleDown.push(down);
      log(`${rep}: scale ${WORKERS + 1}→${WORKERS}: ${down.worker} stopped after ${down.stoppedMs} ms`);
      await steady(cluster, WORKERS, "two working workers");
      const kill = await faultWorker(cluster, `worker-${i % 2}`, "SIGKILL");
      samples.killWorker.push(kill);
      log(`${rep}: kill -9 ${kill.worker}: replacement's first push after ${kill.pushMs} ms`);
      await steady(cluster, WORKERS, "the workers back");
      const stop = await faultWorker(cluster, `worker-${(i + 1) % 2}`, "SIGSTOP");
      samples.stopWorker.push(stop);
      log(`${rep}: SIGSTOP ${stop.worker}: detected after ${stop.detectedMs} ms, replacement's first push after ${stop.pushMs} ms`);
      await steady(cluster, WORKERS, "the workers back");
      const shard = await killShard(cluster, `shard-${i % 2}`);
      samples.killShard.push(shard);
      log(`${rep}: kill -9 ${shard.shard}: serving after ${shard.servingMs} ms, training after ${shard.trainingAgainMs ?? "?"} ms`);
      await steady(cluster, WORKERS, "the shard back");
    }
  } finally {
    log("colony down");
    await cluster.down(5 * 60_000);
  }

  const record: ElasticityRecord = {
    bench: "colony-elasticity",
    version: 1,
    date: started.toISOString(),
    command: ["npm run bench -- elasticity", ...(opts.quick ? ["--quick"] : []), "--reps", String(opts.reps)].join(" "),
    repetitions: opts.reps,
    machine,
    loadAverage1mAtEnd: detectMachine().loadAverage1m,
    cluster: { config: CONFIG, overrides: sets, trainRows: data.trainRows, shards: SHARDS, workers: WORKERS, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
    method: METHOD,
    summary: summarise(samples),
    samples,
  };
  const outDir = opts.out !== undefined ? path.resolve(opts.out) : path.join(root, opts.quick ? `${TMP}/results` : "bench/results");
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, "elasticity.json"), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(outDir, "elasticity.md"), elasticityMarkdown(record));
  log(`wrote ${rel(path.join(outDir, "elasticity.json"))} and elasticity.md`);
  return record;
}

/** Waits until the coordinator trains, `workers` workers work with fresh heartbeats and every shard serves; then lets it run SETTLE_MS. */
async function steady(c: ElasticCluster, workers: number, what: string): Promise<void> {
  const ok = (s: StatusReply): boolean => {
    const ws = s.members.filter((m) => m.kind === "worker");
    const shards = s.members.filter((m) => m.kind === "shard");
    return s.members.some((m) => m.id === "coordinator" && m.state === "training")
      && s.desiredWorkers === workers && ws.length === workers
      && ws.every((w) => WORKING.has(w.state) && w.silentMs >= 0 && w.silentMs < 2000 && (w.counters["batches"] ?? 0) > 0)
      && shards.length === SHARDS && shards.every((m) => m.state === "serving");
  };
  await c.waitForStatus(what, ok, STEADY_TIMEOUT_MS);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
}

/** Parses the flags after `elasticity`; throws BenchSetupError on a bad value. */
export function parseElasticityArgs(argv: string[]): ElasticityOptions {
  const { values } = parseArgs({
    args: argv,
    options: { reps: { type: "string" }, quick: { type: "boolean", default: false }, out: { type: "string" } },
  });
  const reps = values.reps !== undefined ? Number(values.reps) : values.quick ? 2 : 5;
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new BenchSetupError(`--reps must be an integer from 1 to 50, got ${values.reps}`);
  return { reps, quick: values.quick, out: values.out };
}

/** `npm run bench -- elasticity [flags]`: runs it, prints the summary rows as one JSON line. */
export async function elasticityMain(argv: string[]): Promise<void> {
  const opts = parseElasticityArgs(argv);
  const record = await runElasticityBench(opts, (line) => process.stderr.write(`bench elasticity: ${line}\n`));
  process.stdout.write(`${JSON.stringify({ ok: true, bench: record.bench, repetitions: record.repetitions, summary: record.summary })}\n`);
}
