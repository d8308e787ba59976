/**
 * The cluster config schema: every tunable of a Colony cluster, its type, its allowed
 * values and its default, in one place. The dotted paths (`job.optimizer.kind`, …) are a
 * contract shared by YAML files, `--set` overrides and every actor that reads the config.
 *
 * Convention of this module: every validation message of the schema *is* the
 * description of what is allowed ("integer 1..4096", "sgd | adagrad | adam"), so the
 * parser can print `path: got VALUE; allowed: MESSAGE` without knowing each field.
 * This file validates shape only; it reads no files and resolves no paths.
 */
import { z } from "zod";
import { RestartType, Strategy } from "../tree/index.js";

/** Integer in [min, max] (max optional), with an "allowed" message for every failure. */
function int(min: number, max?: number) {
  const allowed = max === undefined ? `integer >= ${min}` : `integer ${min}..${max}`;
  const base = z.int({ error: allowed }).min(min, { error: allowed });
  return max === undefined ? base : base.max(max, { error: allowed });
}

/** Finite number with an exclusive lower bound. */
function numberAbove(min: number) {
  const allowed = `number > ${min}`;
  return z.number({ error: allowed }).gt(min, { error: allowed });
}

/** Finite number in [min, max). */
function numberIn(min: number, maxExclusive: number) {
  const allowed = `number in [${min}, ${maxExclusive})`;
  return z.number({ error: allowed }).gte(min, { error: allowed }).lt(maxExclusive, { error: allowed });
}

/** Finite number in [min, max]. */
function numberBetween(min: number, max: number) {
  const allowed = `number in [${min}, ${max}]`;
  return z.number({ error: allowed }).gte(min, { error: allowed }).lte(max, { error: allowed });
}

const MiB = 1024 * 1024;

/** Allowed values of observability.evalEveryMs. */
const EVAL_EVERY = "0 (off) or integer 500..3600000";

/** Model names the trainer knows. */
export const ModelKind = { Lr: "lr", Fm: "fm", DlrmSmall: "dlrm-small" } as const;
export type ModelKind = (typeof ModelKind)[keyof typeof ModelKind];

/** Dataset layouts the readers know. */
export const DataFormat = { Criteo: "criteo", Csv: "csv" } as const;
export type DataFormat = (typeof DataFormat)[keyof typeof DataFormat];

/** Row-sparse optimizers. */
export const OptimizerKind = { Sgd: "sgd", Adagrad: "adagrad", Adam: "adam" } as const;
export type OptimizerKind = (typeof OptimizerKind)[keyof typeof OptimizerKind];

/** Consistency modes (DESIGN: async; ssp = bounded staleness; sync = deterministic BSP). */
export const ConsistencyMode = { Async: "async", Ssp: "ssp", Sync: "sync" } as const;
export type ConsistencyMode = (typeof ConsistencyMode)[keyof typeof ConsistencyMode];

/** Where OpenTelemetry spans go. */
export const TraceExport = { Off: "off", File: "file", Otlp: "otlp" } as const;
export type TraceExport = (typeof TraceExport)[keyof typeof TraceExport];

/** Log levels (pino's names). */
export const LogLevel = { Trace: "trace", Debug: "debug", Info: "info", Warn: "warn", Error: "error" } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Embedding width that dlrm-small always uses (../shared/bench/README.md). */
export const DLRM_SMALL_EMBEDDING_DIM = 16;

// z.enum wants a non-empty tuple; every `as const` object above has at least one member.
const values = <T extends Record<string, string>>(o: T) =>
  Object.values(o) as [T[keyof T], ...T[keyof T][]];

const NATS_URL = /^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/;
const CLUSTER_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
const OTLP_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;

const NatsSchema = z
  .strictObject({
    /** Server URL(s), comma-separated; absent: `colony up` starts an embedded nats-server. */
    url: z
      .string({ error: "nats://host:port (comma-separated for several)" })
      .regex(NATS_URL, { error: "nats://host:port (comma-separated for several)" })
      .optional(),
    /** Max message size in bytes, set on the embedded server. Default 16 MiB. */
    maxPayload: int(1024, 64 * MiB).default(16 * MiB),
    /** HTTP monitoring port of the embedded server; absent: a free loopback port. */
    monitorPort: int(1, 65535).optional(),
  })
  .prefault({});

const LabelSchema = z.strictObject({
  /** Header name of the label column. */
  column: z.string({ error: "column name (string)" }).min(1, { error: "non-empty column name" }),
  /** Value of the label column that means 1; any other value means 0. */
  positive: z.string({ error: "string (the value that means 1)" }),
});

const DataSchema = z
  .strictObject({
    /** Training data file. Required. Relative paths: see loadConfig. */
    path: z.string({ error: "file path (string, required)" }).min(1, { error: "non-empty file path" }),
    /** File layout. Required. */
    format: z.enum(values(DataFormat)),
    /** Held-out file scored at the end of the job; absent: no evaluation. */
    eval: z.string({ error: "file path (string)" }).min(1, { error: "non-empty file path" }).optional(),
    /** Criteo: categorical id = parseInt(hex, 16) mod idModulo. Default 2^20. */
    idModulo: int(1, 2 ** 32).default(1_048_576),
    /** CSV: which column is the label and which value is positive. Required for csv. */
    label: LabelSchema.optional(),
    /** CSV: columns hashed into sparse features, one embedding table each. Default []. */
    categorical: z.array(z.string({ error: "column name (string)" }), { error: "list of column names" }).default([]),
    /** CSV: columns read as dense numeric features. Default []. */
    numeric: z.array(z.string({ error: "column name (string)" }), { error: "list of column names" }).default([]),
    /** CSV: also hash bucketized numeric columns into sparse features. Default true. */
    bucketize: z.boolean({ error: "true | false" }).default(true),
    /** CSV: field delimiter. Default ",". */
    delimiter: z.string({ error: "one character" }).length(1, { error: "one character" }).default(","),
    /** Rows per task leased to a worker. Default 16384. */
    rowsPerTask: int(1).default(16_384),
  })
  .refine((d) => d.format !== DataFormat.Csv || d.label !== undefined, {
    path: ["label"],
    error: "{ column, positive } (required when job.data.format is csv)",
    // Run even when sibling fields are invalid, so one pass reports every problem.
    when: (p) => typeof p.value === "object" && p.value !== null,
  });

const OptimizerSchema = z
  .strictObject({
    /** Update rule applied to every touched row. Default adagrad. */
    kind: z.enum(values(OptimizerKind)).default(OptimizerKind.Adagrad),
    /** Learning rate. Default 0.05. */
    lr: numberAbove(0).default(0.05),
    /** Denominator epsilon (adagrad, adam). Default 1e-10. */
    eps: numberAbove(0).default(1e-10),
    /** Adam first-moment decay. Default 0.9. */
    beta1: numberIn(0, 1).default(0.9),
    /** Adam second-moment decay. Default 0.999. */
    beta2: numberIn(0, 1).default(0.999),
    /** Adagrad accumulator value of a new row. Default 0. */
    initialAccumulator: z
      .number({ error: "number >= 0" })
      .gte(0, { error: "number >= 0" })
      .default(0),
  })
  .prefault({});

const JobSchema = z
  .strictObject({
    /** Which built-in model to train. Required. */
    model: z.enum(values(ModelKind)),
    /** Embedding width (fm). Default 8; dlrm-small always uses 16. */
    embeddingDim: int(1, 1024).optional(),
    /** Where the examples come from and how to read them. */
    data: DataSchema,
    /** Optimizer and its hyper-parameters. */
    optimizer: OptimizerSchema,
    /** Examples per worker step. Default 2048. */
    batch: int(1, 65_536).default(2048),
    /** Passes over the training data. Default 1. */
    epochs: int(1).default(1),
    /**
     * Consistency mode. async (default): workers pull, compute and push freely. sync:
     * deterministic BSP; each step of `batch` rows is cut into `microBatches` tasks that
     * any live workers compute, and each partition applies their summed gradient once,
     * in micro-batch order: same seed and data give bitwise the same parameters, whatever
     * the worker count, scale events or crashes. ssp: stale synchronous parallel; a
     * worker leases a task only while it has completed at most `staleness` tasks more
     * than the slowest live worker.
     */
    mode: z.enum(values(ConsistencyMode)).default(ConsistencyMode.Async),
    /** ssp mode: how many tasks (clocks) a worker may run ahead of the slowest live one. Default 2. */
    staleness: int(0, 10_000).default(2),
    /** Micro-batches per step in sync mode (tasks any worker may compute). Default 4. */
    microBatches: int(1, 1024).default(4),
    /** How long a worker holds a task before the coordinator re-queues it. Default 60000. */
    leaseMs: int(100).default(60_000),
    /** Deadline of one gradient push (an unknown outcome when it passes). Default 10000. */
    pushTimeoutMs: int(1).default(10_000),
    /** Deadline of one parameter pull. Default 10000. */
    pullTimeoutMs: int(1).default(10_000),
  })
  .refine(
    // typeof: with `when` below this also sees inputs whose embeddingDim failed its own check.
    (j) => j.model !== ModelKind.DlrmSmall || typeof j.embeddingDim !== "number" || j.embeddingDim === DLRM_SMALL_EMBEDDING_DIM,
    {
      path: ["embeddingDim"],
      error: `${DLRM_SMALL_EMBEDDING_DIM} or unset (dlrm-small uses ${DLRM_SMALL_EMBEDDING_DIM} fixed)`,
      when: (p) => typeof p.value === "object" && p.value !== null,
    },
  )
  // The effective width, so readers never need to know the dlrm-small rule.
  .transform(({ embeddingDim, ...job }) => ({
    ...job,
    embeddingDim: embeddingDim ?? (job.model === ModelKind.DlrmSmall ? DLRM_SMALL_EMBEDDING_DIM : 8),
  }));

const StrategySchema = z.enum(values(Strategy));
const RestartTypeSchema = z.enum(values(RestartType));

const BackoffSchema = z
  .strictObject({
    /** Delay before the restart after a first failure, in ms. Default 100. */
    initialMs: int(0, 3_600_000).default(100),
    /** Longest delay between restarts (before jitter), in ms. Default 5000. */
    maxMs: int(0, 3_600_000).default(5000),
    /** Growth of the delay per consecutive failure of a child. Default 2. */
    multiplier: numberBetween(1, 100).default(2),
    /** Random spread of each delay, as a fraction (0.2: ±20%). Default 0.2. */
    jitter: numberBetween(0, 1).default(0.2),
  })
  .refine((b) => typeof b.maxMs !== "number" || typeof b.initialMs !== "number" || b.maxMs >= b.initialMs, {
    path: ["maxMs"],
    error: "integer >= supervision.backoff.initialMs",
    when: (p) => typeof p.value === "object" && p.value !== null,
  })
  .prefault({});

/** Restart policy of one group of actors under its own supervisor. */
const GroupSupervisionSchema = z
  .strictObject({
    /** When a member that exited is started again. Default permanent. */
    restart: RestartTypeSchema.default(RestartType.Permanent),
    /** Which members restart when one fails. Default one_for_one. */
    strategy: StrategySchema.default(Strategy.OneForOne),
  })
  .prefault({});

const SupervisionSchema = z
  .strictObject({
    /** Strategy of the root supervisor over coordinator, shards and workers. Default one_for_one. */
    strategy: StrategySchema.default(Strategy.OneForOne),
    /** Max restarts within periodMs before a supervisor gives up and escalates (the root: the job stops). Default 10. */
    intensity: int(0, 10_000).default(10),
    /** Window of the intensity limit, in ms; a child that ran this long also starts its backoff over. Default 60000. */
    periodMs: int(1, 86_400_000).default(60_000),
    /** Delay before each restart: exponential per consecutive failure, capped, with jitter. */
    backoff: BackoffSchema,
    /** A child silent (no heartbeat) this long is killed and restarted, in ms. Default 5000. */
    heartbeatTimeoutMs: int(100, 3_600_000).default(5000),
    /** Time a child gets between SIGTERM and SIGKILL when stopped, in ms. Default 5000. */
    shutdownMs: int(0, 3_600_000).default(5000),
    /** Restart type of the coordinator. Default permanent. */
    coordinator: z
      .strictObject({
        /** When the coordinator is started again after it exited. Default permanent. */
        restart: RestartTypeSchema.default(RestartType.Permanent),
      })
      .prefault({}),
    /** The shards' supervisor. */
    shards: GroupSupervisionSchema,
    /** The workers' supervisor. */
    workers: GroupSupervisionSchema,
  })
  .prefault({});

/** The whole cluster config; parse with parseConfig to get readable errors. */
export const ClusterConfigSchema = z.strictObject({
  /** Cluster name, part of every subject and stream name. Default "colony". */
  cluster: z
    .string({ error: "lowercase letters, digits and '-', 1..31 chars, starting with a letter or digit" })
    .regex(CLUSTER_NAME, { error: "lowercase letters, digits and '-', 1..31 chars, starting with a letter or digit" })
    .default("colony"),
  /** Seed of every hash-initialised row and every shuffle. Default 1. */
  seed: int(0, 2 ** 32 - 1).default(1),
  /** Number of partitions the key space hashes into. Default 256. */
  partitions: int(1, 4096).default(256),
  /** NATS connection, or the embedded server's settings. */
  nats: NatsSchema,
  /** What to train. Required. */
  job: JobSchema,
  /** Parameter-shard actors. */
  shards: z
    .strictObject({
      /** Desired number of shard actors. Default 2. */
      count: int(1, 64).default(2),
      /** Milliseconds between snapshots of a shard's rows (what a restarted shard comes back with). Default 5000. */
      snapshotMs: int(100, 3_600_000).default(5000),
      /**
       * Drop the update-log entries a shard's snapshot covers, keeping the log bounded.
       * Default false: with the Debian nats-server 2.9.10, consumers were seen to stop
       * delivering after these per-subject purges (docs/decisions.md); the whole log is kept.
       */
      purgeLog: z.boolean().default(false),
      /** Milliseconds between a shard's load reports (per-partition access rates and hot keys) to the coordinator. Default 1000. */
      loadReportMs: int(100, 60_000).default(1000),
      /** Half-life of the shards' decayed access rates and hot-key counts, ms (docs/decisions.md). Default 10000. */
      loadHalfLifeMs: int(100, 3_600_000).default(10_000),
    })
    .prefault({}),
  /** How the coordinator moves partitions to even out shard load (`colony rebalance`, docs/rebalancing.md). */
  rebalance: z
    .strictObject({
      /** Run rebalance rounds while training (false: only when an operator runs `colony rebalance`). Default true. */
      auto: z.boolean().default(true),
      /** Milliseconds between automatic rounds. Default 5000. */
      intervalMs: int(100, 3_600_000).default(5000),
      /**
       * Milliseconds after a round that moved partitions before the next automatic one: the
       * moved partitions' rates restart on their new owners and need a few half-lives
       * (shards.loadHalfLifeMs) to mean something again. Default 30000.
       */
      cooldownMs: int(0, 3_600_000).default(30_000),
      /** Target max/mean shard load (rows/s); a plan stops once it is reached. Default 1.15. */
      targetRatio: numberBetween(1, 100).default(1.15),
      /** Most partition moves in one round. Default 8. */
      maxMoves: int(0, 4096).default(8),
    })
    .prefault({}),
  /** Worker actors. */
  workers: z
    .strictObject({
      /** Desired number of worker actors. Default 2. */
      count: int(0, 256).default(2),
      /**
       * Keep one worker process started and idle (modules loaded, NATS connected), so a
       * new or replacement worker only has to be told its id. Default true.
       */
      standby: z.boolean({ error: "true | false" }).default(true),
    })
    .prefault({}),
  /** How the supervision tree restarts actors (OTP-style), and when it gives up. */
  supervision: SupervisionSchema,
  /** Metrics and traces of the running cluster. */
  observability: z
    .strictObject({
      /** Port of the root supervisor's Prometheus scrape endpoint (GET /metrics); 0: a free port; absent: no endpoint. */
      prometheusPort: int(0, 65535).optional(),
      /** Address the Prometheus endpoint listens on. Default 127.0.0.1 (this machine only). */
      prometheusHost: z.string({ error: "host name or IP address" }).min(1, { error: "host name or IP address" }).default("127.0.0.1"),
      /** Where OpenTelemetry spans go: off, file (RUN/traces/<actor>.jsonl) or otlp (otlpEndpoint). Default off. */
      traces: z.enum(values(TraceExport)).default(TraceExport.Off),
      /** Fraction of training steps (and leases) traced, with their pulls, pushes and the shards' serving spans. Default 0.01. */
      traceSampleRatio: numberBetween(0, 1).default(0.01),
      /** OTLP/HTTP collector base URL (spans to /v1/traces, metrics to /v1/metrics); absent: no OTLP export. */
      otlpEndpoint: z
        .string({ error: "http(s)://host:port of an OTLP/HTTP collector" })
        .regex(OTLP_URL, { error: "http(s)://host:port of an OTLP/HTTP collector" })
        .optional(),
      /** Milliseconds between OTLP metric exports of the root supervisor. Default 10000. */
      otlpMetricsIntervalMs: int(100, 3_600_000).default(10_000),
      /** Milliseconds between held-out evaluations of the live parameters by the coordinator (needs job.data.eval); 0: off. Default 0. */
      evalEveryMs: z.int({ error: EVAL_EVERY }).refine((v) => v === 0 || (v >= 500 && v <= 3_600_000), { error: EVAL_EVERY }).default(0),
      /** Rows of the held-out file (its first rows) scored by each such evaluation. Default 2048. */
      evalRows: int(100, 100_000).default(2048),
    })
    .refine((o) => o.traces !== TraceExport.Otlp || typeof o.otlpEndpoint === "string", {
      path: ["otlpEndpoint"],
      error: "http(s)://host:port of an OTLP/HTTP collector (required when observability.traces is otlp)",
      when: (p) => typeof p.value === "object" && p.value !== null,
    })
    .prefault({}),
  /** Logging. */
  log: z
    .strictObject({
      /** Minimum level written. Default info. */
      level: z.enum(values(LogLevel)).default(LogLevel.Info),
    })
    .prefault({}),
});

/** A validated cluster config, every default filled in. */
export type ClusterConfig = z.output<typeof ClusterConfigSchema>;

/** What a config file or object may contain before defaults are filled in. */
export type ClusterConfigInput = z.input<typeof ClusterConfigSchema>;
