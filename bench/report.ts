/**
 * The benchmark's record (what bench/results/*.json hold), its markdown table
 * (latest.md, which docs/benchmarks.md cites) and its one-line summary. Pure functions
 * of the record: nothing here measures anything.
 */
import type { ActorCounters, ColonyEvalRun, UpResult, WorkerBreakdown } from "./colony-run.js";
import { describeMachine, type MachineInfo } from "./machine.js";
import type { PayloadEstimate } from "./ctr-data.js";
import type { RequestThroughput } from "./nats-request-throughput.js";
import type { InProcessRun } from "./in-process-run.js";
import type { ShardMemoryResult } from "./shard-memory.js";
import type { PeerRun, PeerSkipped } from "./torch-peer.js";

/** Cluster-wide pull and push rates over the training loop. */
export interface Messaging {
  /** Keys (embedding rows and dense blocks) served by the shards' pulls per second. */
  readonly pullRowsPerSec: number;
  /** Keys the shards applied from pushes per second. */
  readonly pushRowsPerSec: number;
  /** Pull requests per second (one per shard per batch); push requests are as many. */
  readonly requestsPerSecEachWay: number;
  /** Pull reply bytes per second, from the per-batch size estimated off the data. */
  readonly pullMBPerSec: number;
  /** Push request bytes per second, same estimate. */
  readonly pushMBPerSec: number;
  /** A worker's mean wait per batch for its pulls (all shards in parallel), ms. */
  readonly pullMsPerBatch: number;
  readonly pushMsPerBatch: number;
}

/** Everything one benchmark run measured. */
export interface BenchRecord {
  readonly bench: "colony-ctr";
  /** 2: adds inProcess and the in-process ratios. */
  readonly version: 2;
  readonly date: string;
  readonly command: string;
  readonly options: { readonly rows: number; readonly quick: boolean; readonly peer: boolean; readonly install: boolean };
  /** Detected when the run started; its loadAverage1m is the load before the run. */
  readonly machine: MachineInfo;
  readonly loadAverage1mAtEnd: number;
  /** One-minute load average just before each timed step ("colony up", "in process", "peer"). */
  readonly loadAverage1mBefore: Readonly<Record<string, number>>;
  readonly workload: {
    readonly config: string;
    readonly model: string;
    readonly shards: number;
    readonly workers: number;
    readonly optimizer: { readonly kind: string; readonly lr: number };
    readonly batch: number;
    readonly epochs: number;
    readonly trainRows: number;
    readonly testRows: number;
  };
  readonly data: { readonly train: string; readonly test: string; readonly generated: boolean; readonly generateSeconds: number; readonly oracleAuc: number };
  readonly colony: {
    readonly up: { readonly command: string; readonly wallSeconds: number; readonly result: UpResult };
    readonly samplesPerSec: {
      /** Steady training loop, from the workers' heartbeats; absent when they couldn't be followed. */
      readonly loop: number | undefined;
      /** rows / the coordinator's job seconds (task cutting, training, checkpoint, held-out eval). */
      readonly job: number;
      /** rows / wall seconds of the whole `colony up` command. */
      readonly e2e: number;
    };
    readonly auc: number | undefined;
    readonly logloss: number | undefined;
    readonly breakdown: WorkerBreakdown | { readonly unavailable: string };
    readonly messaging: Messaging | undefined;
    readonly actors: readonly ActorCounters[] | undefined;
    readonly eval: ColonyEvalRun;
  };
  /** The same job trained in one process, no NATS (`colony bench train`), on the same files in the same run. */
  readonly inProcess: InProcessRun;
  readonly peer: PeerRun | PeerSkipped;
  readonly ratios:
    | {
        /** Colony's training-loop rate / the peer's (parsing excluded on the peer's side). */
        readonly trainLoop: number;
        /** Where Colony's loop rate came from: heartbeats, or the job time when they were missing. */
        readonly trainLoopFrom: "heartbeats" | "job";
        readonly endToEnd: number;
        readonly auc: number | undefined;
        /** In-process training loop / the peer's: the issue's floor is 2 on CPU. */
        readonly inProcessTrainLoop: number;
        /** In-process trainRows / wall seconds of the command, over the peer's same figure. */
        readonly inProcessEndToEnd: number;
        /** In-process test AUC − the peer's: the issue asks for equal AUC (±0.005). */
        readonly inProcessAucDelta: number;
      }
    | undefined;
  readonly nats: { readonly payload: PayloadEstimate; readonly inFlight: number; readonly pull: RequestThroughput; readonly push: RequestThroughput };
  readonly shardMemory: ShardMemoryResult & { readonly gcExposed: boolean };
}

const int = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const fix = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const signed = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? "–" : `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`);
const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

/** latest.md: the headline table, the worker breakdown, messaging next to raw NATS, shard memory, the machine. */
export function markdownReport(r: BenchRecord): string {
  const peer = "skipped" in r.peer ? undefined : r.peer;
  const c = r.colony;
  const ip = r.inProcess.result;
  const w = r.workload;
  const lines = [
    "# Benchmark: dlrm-small on synthetic CTR data",
    "",
    `${int(w.trainRows)} train rows, ${int(w.testRows)} test rows (\`../shared/bench/gen-ctr.mjs\`, seeds 1 and 2); ` +
      `\`${w.config}\`: ${w.shards} shards + ${w.workers} workers, ${w.optimizer.kind} lr ${w.optimizer.lr}, batch ${w.batch}, ${w.epochs} epoch. ` +
      (peer === undefined
        ? `Peer skipped: ${(r.peer as PeerSkipped).skipped}.`
        : `Peer: ${peer.peer} on ${peer.device}, ${peer.threads} threads, OpenBLAS ${peer.openblas}, same files, same run.`),
    `Produced by \`${r.command}\` on ${r.date}.`,
    "",
    `Machine: ${describeMachine(r.machine)}; load average (1 min) ${fix(r.machine.loadAverage1m, 2)} at the start, ${fix(r.loadAverage1mAtEnd, 2)} at the end; ` +
      `before each step: ${Object.entries(r.loadAverage1mBefore).map(([step, load]) => `${step} ${fix(load, 2)}`).join(", ")} ` +
      "(other work on the machine slows every column; all of them ran one after another in this run).",
    "",
    "| | Colony, one process (no NATS) | Colony cluster | PyTorch peer | one process / peer | cluster / peer |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| training loop, samples/s | ${int(ip.loopSamplesPerSec)} | ${int(c.samplesPerSec.loop ?? c.samplesPerSec.job)}${c.samplesPerSec.loop === undefined ? " (job)" : ""} | ${int(peer?.samplesPerSec)} | ${fix(r.ratios?.inProcessTrainLoop, 2)} | ${fix(r.ratios?.trainLoop, 2)} |`,
    `| end to end (command wall time), samples/s | ${int(r.inProcess.e2eSamplesPerSec)} | ${int(c.samplesPerSec.e2e)} | ${int(peer?.e2eSamplesPerSec)} | ${fix(r.ratios?.inProcessEndToEnd, 2)} | ${fix(r.ratios?.endToEnd, 2)} |`,
    `| test AUC after one epoch | ${fix(ip.testAuc, 4)} | ${fix(c.auc, 4)} | ${fix(peer?.testAuc, 4)} | ${signed(r.ratios?.inProcessAucDelta, 4)} (difference) | ${fix(r.ratios?.auc, 3)} (ratio) |`,
    `| wall time of the command, s | ${fix(r.inProcess.wallSeconds, 1)} | ${fix(c.up.wallSeconds, 1)} | ${fix(peer?.wallSeconds, 1)} | | |`,
    `| job samples/s (coordinator's time: cut, train, checkpoint, eval) | | ${int(c.samplesPerSec.job)} | | | |`,
    "",
    `One process: \`${r.inProcess.command}\` (${ip.kernels} kernels, ${ip.threads ?? 1} GEMM threads); its loop is every step but reading and parsing, ` +
      "the peer's is its loop over data loaded beforehand. Per batch, ms: " +
      `read + parse ${fix(ip.perBatchMs.read, 2)}, plan ${fix(ip.perBatchMs.plan, 2)}, row lookup ${fix(ip.perBatchMs.lookup, 2)}, gather ${fix(ip.perBatchMs.gather, 2)}, ` +
      `forward + backward ${fix(ip.perBatchMs.step, 2)}, fused optimizer ${fix(ip.perBatchMs.optimizer, 2)}.`,
    "",
    `Best AUC any model can reach on this test file (the planted model's): ${fix(r.data.oracleAuc, 4)}. ` +
      `\`colony eval\` on the final checkpoint: AUC ${fix(c.eval.auc, 4)}, log loss ${fix(c.eval.logloss, 4)} on ${int(c.eval.rows)} rows in ${fix(c.eval.wallSeconds, 1)} s.`,
    "",
  ];

  lines.push("## Where a worker's time goes", "");
  if ("unavailable" in c.breakdown) {
    lines.push(`Not available in this run: ${c.breakdown.unavailable}.`, "");
  } else {
    const b = c.breakdown;
    lines.push(
      "| per batch (mean over workers) | pull | compute | push |",
      "| --- | ---: | ---: | ---: |",
      `| ms | ${fix(b.pullMsPerBatch, 1)} | ${fix(b.computeMsPerBatch, 1)} | ${fix(b.pushMsPerBatch, 1)} |`,
      `| share of pull + compute + push | ${pct(b.pullShare)} | ${pct(b.computeShare)} | ${pct(b.pushShare)} |`,
      "",
      `${int(b.batches)} batches over ${b.workers} workers; ${int(b.keysPulledPerBatch)} keys pulled per batch. ` +
        "Reading and parsing the data and planning each batch happen outside these three timers.",
      "",
    );
  }

  const n = r.nats;
  const m = c.messaging;
  lines.push(
    "## Messaging next to raw NATS request/reply",
    "",
    `Per shard per batch (estimated from the first ${n.payload.batchesSampled} batches of the data): ` +
      `pull reply ${kib(n.payload.pullReplyBytesPerShard)} (${int(n.payload.sparseKeysPerBatch)} distinct embedding rows per batch + ${int(n.payload.denseFloats)} dense floats, split over ${n.payload.shards} shards), ` +
      `push request ${kib(n.payload.pushRequestBytesPerShard)}. Raw NATS: the same sizes, no encoding, a responder process, ${n.inFlight} requests in flight, ${fix(n.pull.seconds, 0)} s each.`,
    "",
    "| | Colony pulls | raw NATS, pull-sized | Colony pushes | raw NATS, push-sized |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| requests/s | ${fix(m?.requestsPerSecEachWay, 1)} | ${fix(n.pull.requestsPerSec, 1)} | ${fix(m?.requestsPerSecEachWay, 1)} | ${fix(n.push.requestsPerSec, 1)} |`,
    `| MB/s | ${fix(m?.pullMBPerSec, 1)} | ${fix(n.pull.mbPerSec, 1)} | ${fix(m?.pushMBPerSec, 1)} | ${fix(n.push.mbPerSec, 1)} |`,
    `| ms per round trip (Colony: a worker's wait per batch) | ${fix(m?.pullMsPerBatch, 1)} | ${fix(n.pull.p50Ms, 1)} (p50) | ${fix(m?.pushMsPerBatch, 1)} | ${fix(n.push.p50Ms, 1)} (p50) |`,
    `| rows/s (cluster, over the training loop) | ${int(m?.pullRowsPerSec)} | | ${int(m?.pushRowsPerSec)} | |`,
    "",
  );

  const s = r.shardMemory;
  lines.push(
    "## Shard memory (RowTable, Adagrad state)",
    "",
    "| rows | dim | bytes/row (raw) | table / raw | RSS growth / raw | insert rows/s | find rows/s |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${int(s.rows)} | ${s.dim} | ${fix(s.bytesPerRow, 1)} (${s.stateWidth * 4}) | ${fix(s.ratio, 3)} | ${fix(s.rssDeltaBytes / s.rawBytes, 3)}${s.gcExposed ? "" : " (no gc)"} | ${int(s.insertRowsPerSec)} | ${int(s.findRowsPerSec)} |`,
    "",
  );
  return lines.join("\n");
}

/** The one-line summary printed at the end of a run. */
export function summaryOf(r: BenchRecord): Record<string, unknown> {
  const peer = "skipped" in r.peer
    ? { skipped: r.peer.skipped }
    : { samplesPerSec: r.peer.samplesPerSec, e2eSamplesPerSec: r.peer.e2eSamplesPerSec, auc: r.peer.testAuc };
  return {
    ok: true,
    rows: r.workload.trainRows,
    inProcess: { loopSamplesPerSec: r.inProcess.result.loopSamplesPerSec, e2eSamplesPerSec: r.inProcess.e2eSamplesPerSec, auc: r.inProcess.result.testAuc },
    colony: { loopSamplesPerSec: r.colony.samplesPerSec.loop, jobSamplesPerSec: r.colony.samplesPerSec.job, e2eSamplesPerSec: r.colony.samplesPerSec.e2e, auc: r.colony.auc },
    peer,
    ratios: r.ratios,
    natsPull: { replyBytes: r.nats.pull.replyBytes, requestsPerSec: r.nats.pull.requestsPerSec, mbPerSec: r.nats.pull.mbPerSec },
    shardBytesPerRow: Math.round(r.shardMemory.bytesPerRow * 10) / 10,
    machine: `${r.machine.cpu}, ${r.machine.cores} cores`,
    loadAverage1m: { start: r.machine.loadAverage1m, end: r.loadAverage1mAtEnd },
  };
}
