/**
 * The part of the cluster config that actor processes read. The supervisor validates
 * the whole config and hands each child the resolved JSON; this type names the fields
 * actors rely on (the supervisor's schema is a structural superset of it), so actors/
 * depends on no code of supervisor/.
 */
import type { DataSpec } from "../../train/index.js";
import type { ModelKind, OptimizerKind } from "../../train/types.js";

export interface ActorConfig {
  /** A checkpoint this job resumes from (`colony up --resume`): rows and task progress. */
  readonly resumeFrom?: string;
  readonly cluster: string;
  /** Identity of this run of the job, set by the root supervisor: state saved under another id is not resumed. */
  readonly jobId: string;
  readonly seed: number;
  readonly partitions: number;
  readonly job: {
    readonly model: ModelKind;
    readonly embeddingDim: number;
    readonly data: {
      readonly path: string;
      readonly format: "criteo" | "csv";
      readonly eval?: string;
      readonly idModulo: number;
      readonly label?: { readonly column: string; readonly positive: string };
      readonly categorical: readonly string[];
      readonly numeric: readonly string[];
      readonly bucketize: boolean;
      readonly delimiter: string;
      readonly rowsPerTask: number;
    };
    readonly optimizer: {
      readonly kind: OptimizerKind;
      readonly lr: number;
      readonly eps: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly initialAccumulator: number;
    };
    readonly batch: number;
    readonly epochs: number;
    readonly mode: "async" | "ssp" | "sync";
    /** ssp mode: clocks (tasks) a worker may lead the slowest live one by. */
    readonly staleness?: number;
    /** Micro-batches per sync step; absent in configs written before it existed. */
    readonly microBatches?: number;
    readonly leaseMs: number;
    readonly pushTimeoutMs: number;
    readonly pullTimeoutMs: number;
  };
  readonly shards: {
    readonly count: number;
    /** Interval between shard snapshots; absent in configs written before it existed. */
    readonly snapshotMs?: number;
    /** Whether snapshots purge the log entries they cover; absent means false. */
    readonly purgeLog?: boolean;
    /** Interval between load reports; absent in configs written before it existed (1000). */
    readonly loadReportMs?: number;
    /** Half-life of the access rates; absent in configs written before it existed (10000). */
    readonly loadHalfLifeMs?: number;
  };
  /** Rebalancing; absent in configs written before it existed (1.15, 8, no automatic rounds). */
  readonly rebalance?: {
    readonly targetRatio: number; readonly maxMoves: number;
    readonly auto?: boolean; readonly intervalMs?: number; readonly cooldownMs?: number;
  };
  readonly workers: { readonly count: number };
  /** Tracing settings; absent in configs written before they existed (tracing off). */
  readonly observability?: {
    readonly traces: "off" | "file" | "otlp";
    readonly traceSampleRatio: number;
    readonly otlpEndpoint?: string;
    /** Held-out evaluation interval (0: off); absent in configs written before it existed (off). */
    readonly evalEveryMs?: number;
    /** Rows of the held-out slice; absent in configs written before it existed (2048). */
    readonly evalRows?: number;
  };
  readonly log: { readonly level: "trace" | "debug" | "info" | "warn" | "error" };
}

/** The train/ data spec a config describes. */
export function dataSpecOf(cfg: ActorConfig): DataSpec {
  const d = cfg.job.data;
  if (d.format === "criteo") return { format: "criteo", idModulo: d.idModulo };
  if (!d.label) throw new Error("job.data.label is required for csv data");
  return {
    format: "csv",
    label: { column: d.label.column, positive: d.label.positive },
    categorical: [...d.categorical],
    numeric: [...d.numeric],
    bucketize: d.bucketize,
    delimiter: d.delimiter,
  };
}

/** Micro-batches per sync step (job.microBatches, default 4). */
export const microBatchesOf = (cfg: ActorConfig): number => cfg.job.microBatches ?? 4;

/** Rows per task the coordinator cuts the data into: a sync task is one micro-batch of a step. */
export function rowsPerTaskOf(cfg: ActorConfig): number {
  return cfg.job.mode === "sync" ? Math.ceil(cfg.job.batch / microBatchesOf(cfg)) : cfg.job.data.rowsPerTask;
}
