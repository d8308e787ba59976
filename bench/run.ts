/**
 * `npm run bench`: the project benchmark (../shared/bench/README.md) in one run on one
 * machine. It generates (or reuses) the CTR data, runs Colony end to end through its CLI
 * (`colony up examples/ctr.yaml`, then `colony eval` on the checkpoint), trains the same
 * job in one process without NATS (`colony bench train`: the cost of distribution is the
 * gap between the two), runs the PyTorch peer on the same files, measures raw NATS request/reply throughput at the
 * payload sizes of this workload's pulls and pushes, and measures a shard's row memory.
 * Steps run one after another, never side by side, so they don't share the cores.
 *
 * It writes bench/results/bench-<date>.json, latest.json and latest.md (a `--quick` run
 * writes to bench/tmp/results/ instead, so it never replaces a recorded result), and
 * prints one summary JSON line on stdout. Progress goes to stderr.
 *
 * Flags: --rows N (train rows, default 1,000,000; test rows are N/5), --quick (100k
 * rows, 1M-row shard table), --no-peer, --no-install (never apt-get PyTorch), --json
 * (stdout gets the whole record as one line; no progress on stderr), --out DIR.
 *
 * `npm run bench -- elasticity [--reps N] [--quick]` runs the elasticity benchmark
 * instead (scale, worker and shard restarts; see elasticity.ts); `npm run bench --
 * observability [--pairs N] [--rows N] [--back-to-back] [--quick]` measures what metrics
 * and tracing cost, in CPU per trained row of clusters run side by side (see
 * observability-overhead.ts); `npm run bench -- rebalance [--zipf S] [--shards N]` what
 * live rebalancing buys (rebalance.ts).
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { loadConfig } from "../supervisor/index.js";
import { BenchSetupError } from "./bench-errors.js";
import { runColonyEval, runColonyUp, workerBreakdown } from "./colony-run.js";
import { runInProcessTrain } from "./in-process-run.js";
import { ensureCtrData, estimatePayload, oracleAuc } from "./ctr-data.js";
import { elasticityMain } from "./elasticity.js";
import { observabilityMain } from "./observability-overhead.js";
import { rebalanceMain } from "./rebalance.js";
import { detectMachine } from "./machine.js";
import { measureRequestThroughputs } from "./nats-request-throughput.js";
import { markdownReport, summaryOf, type BenchRecord, type Messaging } from "./report.js";
import { repoRoot } from "./repo-root.js";
import { measureShardMemory } from "./shard-memory.js";
import { isPeerSkipped, runTorchPeer } from "./torch-peer.js";

/** The benchmark's knobs, from the command line. */
export interface BenchOptions {
  /** Train rows; test rows are rows / 5. */
  readonly rows: number;
  readonly quick: boolean;
  readonly peer: boolean;
  readonly install: boolean;
  readonly json: boolean;
  /** Where result files go; default bench/results (bench/tmp/results with quick). */
  readonly out?: string;
}

const CONFIG = "examples/ctr.yaml";
const TMP = "bench/tmp";
const RUN_DIR = `${TMP}/run-ctr`;
const PEER_THREADS = 2;
/** GEMM threads of the in-process run: the peer's thread count, so both use the same cores. */
const IN_PROCESS_THREADS = PEER_THREADS;
/** Requests kept in flight in the raw NATS measurement: 2 workers × 2 shards, the cluster's most concurrent pulls. */
const NATS_IN_FLIGHT = 4;
const NATS_SECONDS = 5;
const EMBEDDING_DIM = 16;
const MINUTE = 60_000;

/** Runs every step and writes the result files; resolves with the record. */
export async function runBench(opts: BenchOptions, log: (line: string) => void): Promise<BenchRecord> {
  const root = repoRoot(path.dirname(fileURLToPath(import.meta.url)));
  for (const needed of ["dist/bin/colony.js", CONFIG]) {
    if (!existsSync(path.join(root, needed))) throw new BenchSetupError(`${needed} is missing; run \`npm run setup\` (builds dist/) first`);
  }
  const started = new Date();
  // Detected first: the load average before the run says whether something else was already using the cores.
  const machine = detectMachine();
  const tmp = path.join(root, TMP);

  log(`data: ${opts.rows.toLocaleString("en-US")} train rows, ${Math.floor(opts.rows / 5).toLocaleString("en-US")} test rows`);
  const data = await ensureCtrData({ root, dir: tmp, rows: opts.rows, log });
  const rel = (p: string): string => path.relative(root, p);
  const config = await loadConfig(path.join(root, CONFIG), [`job.data.path=${data.train}`, `job.data.eval=${data.test}`]);
  const payload = await estimatePayload(data.train, { batch: config.job.batch, batches: 20, shards: config.shards.count });
  const ceilingAuc = await oracleAuc(data.test, data.testOracle);

  log(`colony up ${CONFIG} (${config.shards.count} shards, ${config.workers.count} workers, batch ${config.job.batch})`);
  const loadBefore: Record<string, number> = { "colony up": os.loadavg()[0] ?? NaN };
  await rm(path.join(root, RUN_DIR), { recursive: true, force: true });
  await mkdir(path.join(root, RUN_DIR), { recursive: true });
  const up = await runColonyUp({
    root, config: CONFIG, runDir: RUN_DIR, train: rel(data.train), test: rel(data.test), timeoutMs: 90 * MINUTE,
    stderrFile: path.join(root, TMP, "colony-up.stderr.log"),
  });
  log(`colony up: ${up.result.rows} rows in ${up.wallSeconds.toFixed(1)} s wall (job ${up.result.seconds} s), AUC ${up.result.auc}`);
  const checkpoint = up.result.checkpoint ?? path.join(RUN_DIR, "final");
  const evalRun = await runColonyEval({ root, checkpoint: rel(path.resolve(root, checkpoint)), data: rel(data.test), timeoutMs: 30 * MINUTE });
  log(`colony eval: AUC ${evalRun.auc} on ${evalRun.rows} rows in ${evalRun.wallSeconds.toFixed(1)} s`);

  log(`colony bench train (in process, no NATS, ${IN_PROCESS_THREADS} GEMM threads)`);
  loadBefore["in process"] = os.loadavg()[0] ?? NaN;
  const inProcess = await runInProcessTrain({
    root, config: CONFIG, train: rel(data.train), test: rel(data.test), threads: IN_PROCESS_THREADS, timeoutMs: 30 * MINUTE,
  });
  log(`in process: loop ${inProcess.result.loopSamplesPerSec} samples/s, e2e ${Math.round(inProcess.e2eSamplesPerSec)} samples/s, AUC ${inProcess.result.testAuc}`);

  loadBefore["peer"] = os.loadavg()[0] ?? NaN;
  const peer = opts.peer
    ? await runTorchPeer({ root, train: rel(data.train), test: rel(data.test), threads: PEER_THREADS, allowInstall: opts.install, timeoutMs: 90 * MINUTE, log })
    : { skipped: "--no-peer was given" };
  log(isPeerSkipped(peer) ? `peer skipped: ${peer.skipped}` : `peer: ${peer.samplesPerSec} samples/s, AUC ${peer.testAuc}`);

  log(`raw NATS request/reply, ${NATS_IN_FLIGHT} in flight, ${NATS_SECONDS} s per shape`);
  const [natsPull, natsPush] = await measureRequestThroughputs(
    [
      { requestBytes: payload.pullRequestBytesPerShard, replyBytes: payload.pullReplyBytesPerShard },
      { requestBytes: payload.pushRequestBytesPerShard, replyBytes: 32 },
    ],
    { inFlight: NATS_IN_FLIGHT, durationMs: NATS_SECONDS * 1000 },
  );
  if (natsPull === undefined || natsPush === undefined) throw new BenchSetupError("the NATS measurement returned fewer shapes than asked");

  const shardRows = opts.quick ? 1_000_000 : 10_000_000;
  log(`shard memory: ${shardRows.toLocaleString("en-US")} rows, dim ${EMBEDDING_DIM}`);
  const gcExposed = exposeGc();
  const shardMemory = { ...(await measureShardMemory({ rows: shardRows, dim: EMBEDDING_DIM })), gcExposed };

  const loop = up.heartbeats.available ? up.heartbeats.loopSamplesPerSec : undefined;
  const breakdown = up.heartbeats.available ? workerBreakdown(up.heartbeats.actors) : undefined;
  const colonyE2e = up.result.rows / up.wallSeconds;
  const record: BenchRecord = {
    bench: "colony-ctr",
    version: 2,
    date: started.toISOString(),
    command: ["npm run bench --", ...argvOf(opts)].join(" "),
    options: opts,
    machine,
    loadAverage1mAtEnd: detectMachine().loadAverage1m,
    loadAverage1mBefore: Object.fromEntries(Object.entries(loadBefore).map(([step, load]) => [step, round(load, 2)])),
    workload: {
      config: CONFIG,
      model: config.job.model,
      shards: config.shards.count,
      workers: config.workers.count,
      optimizer: config.job.optimizer,
      batch: config.job.batch,
      epochs: config.job.epochs,
      trainRows: data.trainRows,
      testRows: data.testRows,
    },
    data: { train: rel(data.train), test: rel(data.test), generated: data.generated, generateSeconds: round(data.seconds, 1), oracleAuc: round(ceilingAuc, 4) },
    colony: {
      up: { command: up.command, wallSeconds: round(up.wallSeconds, 2), result: up.result },
      samplesPerSec: {
        loop: loop === undefined ? undefined : Math.round(loop),
        job: Math.round(up.result.rows / up.result.seconds),
        e2e: Math.round(colonyE2e),
      },
      auc: up.result.auc,
      logloss: up.result.logloss,
      breakdown: breakdown ?? { unavailable: up.heartbeats.available ? "no worker reported a batch" : up.heartbeats.reason },
      messaging: up.heartbeats.available && breakdown !== undefined
        ? messaging(up.heartbeats.actors, up.heartbeats.loopSeconds, payload.pullReplyBytesPerShard, payload.pushRequestBytesPerShard, config.shards.count)
        : undefined,
      actors: up.heartbeats.available ? up.heartbeats.actors : undefined,
      eval: { ...evalRun, wallSeconds: round(evalRun.wallSeconds, 2) },
    },
    inProcess: { ...inProcess, wallSeconds: round(inProcess.wallSeconds, 2), e2eSamplesPerSec: Math.round(inProcess.e2eSamplesPerSec) },
    peer: isPeerSkipped(peer) ? peer : { ...peer, wallSeconds: round(peer.wallSeconds, 2), e2eSamplesPerSec: Math.round(peer.e2eSamplesPerSec) },
    ratios: isPeerSkipped(peer)
      ? undefined
      : {
          trainLoop: round((loop ?? up.result.rows / up.result.seconds) / peer.samplesPerSec, 3),
          trainLoopFrom: loop === undefined ? "job" : "heartbeats",
          endToEnd: round(colonyE2e / peer.e2eSamplesPerSec, 3),
          auc: up.result.auc === undefined ? undefined : round(up.result.auc / peer.testAuc, 4),
          inProcessTrainLoop: round(inProcess.result.loopSamplesPerSec / peer.samplesPerSec, 3),
          inProcessEndToEnd: round(inProcess.e2eSamplesPerSec / peer.e2eSamplesPerSec, 3),
          inProcessAucDelta: round(inProcess.result.testAuc - peer.testAuc, 4),
        },
    nats: { payload, inFlight: NATS_IN_FLIGHT, pull: natsPull, push: natsPush },
    shardMemory,
  };

  const outDir = opts.out !== undefined ? path.resolve(opts.out) : path.join(root, opts.quick ? `${TMP}/results` : "bench/results");
  await mkdir(outDir, { recursive: true });
  const json = `${JSON.stringify(record, null, 2)}\n`;
  const stamp = record.date.replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  await writeFile(path.join(outDir, `bench-${stamp}.json`), json);
  await writeFile(path.join(outDir, "latest.json"), json);
  await writeFile(path.join(outDir, "latest.md"), markdownReport(record));
  log(`wrote ${rel(path.join(outDir, `bench-${stamp}.json`))}, latest.json, latest.md`);
  return record;
}

/** Pull and push rates of the whole cluster over the training loop, from the shards' and workers' counters. */
function messaging(
  actors: readonly { kind: string; counters: Record<string, number> }[],
  loopSeconds: number,
  pullReplyBytesPerShard: number,
  pushRequestBytesPerShard: number,
  shards: number,
): Messaging {
  const sum = (kind: string, name: string): number =>
    actors.filter((a) => a.kind === kind).reduce((n, a) => n + (a.counters[name] ?? 0), 0);
  const batches = sum("worker", "batches");
  const pullMs = sum("worker", "time.pull_ms");
  const pushMs = sum("worker", "time.push_ms");
  return {
    pullRowsPerSec: Math.round(sum("shard", "rows.pulled") / loopSeconds),
    pushRowsPerSec: Math.round(sum("shard", "rows.applied") / loopSeconds),
    requestsPerSecEachWay: round((batches * shards) / loopSeconds, 1),
    pullMBPerSec: round((batches * shards * pullReplyBytesPerShard) / loopSeconds / 1e6, 2),
    pushMBPerSec: round((batches * shards * pushRequestBytesPerShard) / loopSeconds / 1e6, 2),
    pullMsPerBatch: round(pullMs / Math.max(1, batches), 2),
    pushMsPerBatch: round(pushMs / Math.max(1, batches), 2),
  };
}

/** Makes global.gc available (as --expose-gc would) so RSS is read after a collection; false when it can't. */
function exposeGc(): boolean {
  const g = globalThis as { gc?: unknown };
  if (typeof g.gc === "function") return true;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    if (typeof gc !== "function") return false;
    g.gc = gc;
    return true;
  } catch {
    return false;
  }
}

function argvOf(opts: BenchOptions): string[] {
  const argv: string[] = [];
  if (opts.quick) argv.push("--quick");
  argv.push("--rows", String(opts.rows));
  if (!opts.peer) argv.push("--no-peer");
  if (!opts.install) argv.push("--no-install");
  if (opts.json) argv.push("--json");
  return argv;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Parses the command line; throws BenchSetupError on a bad value. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: "string" },
      quick: { type: "boolean", default: false },
      "no-peer": { type: "boolean", default: false },
      "no-install": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const rows = values.rows !== undefined ? Number(values.rows) : values.quick ? 100_000 : 1_000_000;
  if (!Number.isInteger(rows) || rows < 10_000) throw new BenchSetupError(`--rows must be an integer >= 10000, got ${values.rows}`);
  return { rows, quick: values.quick, peer: !values["no-peer"], install: !values["no-install"], json: values.json, out: values.out };
}

async function main(): Promise<void> {
  if (process.argv[2] === "elasticity") return elasticityMain(process.argv.slice(3));
  if (process.argv[2] === "observability") return observabilityMain(process.argv.slice(3));
  if (process.argv[2] === "rebalance") {
    process.exitCode = await rebalanceMain(process.argv.slice(3));
    return;
  }
  const opts = parseBenchArgs(process.argv.slice(2));
  const log = opts.json ? () => undefined : (line: string) => process.stderr.write(`bench: ${line}\n`);
  const record = await runBench(opts, log);
  process.stdout.write(`${JSON.stringify(opts.json ? record : summaryOf(record))}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
