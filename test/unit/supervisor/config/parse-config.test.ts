import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type ConfigIssue } from "../../../../supervisor/config/index.js";

const minimalCsv = () => ({
  job: {
    model: "lr",
    data: { path: "train.csv", format: "csv", label: { column: "class", positive: ">50K" } },
  },
});

/** Runs parseConfig expecting a ConfigError, and returns it. */
function configError(obj: unknown): ConfigError {
  try {
    parseConfig(obj);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("parseConfig accepted an invalid config");
}

function issueAt(err: ConfigError, path: string): ConfigIssue {
  const issue = err.issues.find((i) => i.path === path);
  if (issue === undefined) throw new Error(`no issue at ${path}; got ${err.message}`);
  return issue;
}

/** A valid csv config with one field replaced. */
function withField(path: string, value: unknown): Record<string, unknown> {
  const obj = minimalCsv() as Record<string, unknown>;
  const segs = path.split(".");
  let node = obj;
  for (const s of segs.slice(0, -1)) {
    node[s] ??= {};
    node = node[s] as Record<string, unknown>;
  }
  node[segs[segs.length - 1] ?? ""] = value;
  return obj;
}

describe("parseConfig", () => {
  it("fills in every default when only the model and the data are given", () => {
    expect(parseConfig(minimalCsv())).toEqual({
      cluster: "colony",
      seed: 1,
      partitions: 256,
      nats: { maxPayload: 16 * 1024 * 1024 },
      job: {
        model: "lr",
        embeddingDim: 8,
        data: {
          path: "train.csv",
          format: "csv",
          idModulo: 1_048_576,
          label: { column: "class", positive: ">50K" },
          categorical: [],
          numeric: [],
          bucketize: true,
          delimiter: ",",
          rowsPerTask: 16_384,
        },
        optimizer: { kind: "adagrad", lr: 0.05, eps: 1e-10, beta1: 0.9, beta2: 0.999, initialAccumulator: 0 },
        batch: 2048,
        epochs: 1,
        mode: "async",
        microBatches: 4,
        staleness: 2,
        leaseMs: 60_000,
        pushTimeoutMs: 10_000,
        pullTimeoutMs: 10_000,
      },
      shards: { count: 2, snapshotMs: 5000, purgeLog: false, loadReportMs: 1000, loadHalfLifeMs: 10_000 },
      rebalance: { auto: true, intervalMs: 5000, cooldownMs: 30_000, targetRatio: 1.15, maxMoves: 8 },
      workers: { count: 2, standby: true },
      supervision: {
        strategy: "one_for_one",
        intensity: 10,
        periodMs: 60_000,
        backoff: { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 0.2 },
        heartbeatTimeoutMs: 5000,
        shutdownMs: 5000,
        coordinator: { restart: "permanent" },
        shards: { restart: "permanent", strategy: "one_for_one" },
        workers: { restart: "permanent", strategy: "one_for_one" },
      },
      observability: { prometheusHost: "127.0.0.1", traces: "off", traceSampleRatio: 0.01, otlpMetricsIntervalMs: 10_000, evalEveryMs: 0, evalRows: 2048 },
      log: { level: "info" },
    });
  });

  it("requires an OTLP endpoint when traces go to OTLP", () => {
    const err = configError({ ...minimalCsv(), observability: { traces: "otlp" } });
    expect(issueAt(err, "observability.otlpEndpoint").allowed).toContain("required when observability.traces is otlp");
    expect(parseConfig({ ...minimalCsv(), observability: { traces: "otlp", otlpEndpoint: "http://collector:4318" } }).observability)
      .toMatchObject({ traces: "otlp", otlpEndpoint: "http://collector:4318" });
  });

  it("names the path, the value and the allowed values of a bad enum", () => {
    const err = configError(withField("job.optimizer.kind", "adamw"));
    expect(issueAt(err, "job.optimizer.kind")).toMatchObject({ value: "adamw", allowed: "sgd | adagrad | adam" });
    expect(err.message).toContain('job.optimizer.kind: got "adamw"; allowed: sgd | adagrad | adam');
  });

  it.each([
    ["cluster", "Colony_1", "lowercase letters, digits and '-'"],
    ["seed", -1, "integer 0..4294967295"],
    ["partitions", 5000, "integer 1..4096"],
    ["partitions", 2.5, "integer 1..4096"],
    ["nats.url", "http://localhost:4222", "nats://host:port"],
    ["nats.maxPayload", 100, "integer 1024..67108864"],
    ["nats.monitorPort", 70000, "integer 1..65535"],
    ["observability.prometheusPort", 65536, "integer 0..65535"],
    ["observability.prometheusPort", -1, "integer 0..65535"],
    ["observability.prometheusHost", "", "host name or IP address"],
    ["observability.traces", "jaeger", "off | file"],
    ["observability.traceSampleRatio", 1.5, "number in [0, 1]"],
    ["observability.otlpEndpoint", "collector:4318", "http(s)://host:port of an OTLP/HTTP collector"],
    ["observability.otlpMetricsIntervalMs", 50, "integer 100..3600000"],
    ["observability.evalEveryMs", 100, "0 (off) or integer 500..3600000"],
    ["observability.evalEveryMs", -1, "0 (off) or integer 500..3600000"],
    ["observability.evalRows", 10, "integer 100..100000"],
    ["job.model", "xgboost", "lr | fm | dlrm-small"],
    ["job.embeddingDim", 0, "integer 1..1024"],
    ["job.data.format", "parquet", "criteo | csv"],
    ["job.data.idModulo", 0, "integer 1..4294967296"],
    ["job.data.categorical", "workclass", "list of column names"],
    ["job.data.bucketize", "yes", "true | false"],
    ["job.data.delimiter", "::", "one character"],
    ["job.data.rowsPerTask", 0, "integer >= 1"],
    ["job.optimizer.lr", 0, "number > 0"],
    ["job.optimizer.beta2", 1, "number in [0, 1)"],
    ["job.optimizer.initialAccumulator", -0.1, "number >= 0"],
    ["job.batch", 65_537, "integer 1..65536"],
    ["job.batch", "512", "integer 1..65536"],
    ["job.epochs", 0, "integer >= 1"],
    ["job.leaseMs", 10, "integer >= 100"],
    ["shards.count", 0, "integer 1..64"],
    ["workers.count", 257, "integer 0..256"],
    ["log.level", "verbose", "trace | debug | info | warn | error"],
  ])("reports %s = %j with its path, its value and what is allowed", (path, value, allowed) => {
    const err = configError(withField(path, value));
    const issue = issueAt(err, path);
    expect(issue.value).toEqual(value);
    expect(issue.allowed).toContain(allowed);
    expect(err.message).toContain(`${path}: got ${JSON.stringify(value)}; allowed: ${allowed}`);
  });

  it("reports a missing required field as 'got nothing' with what it needs", () => {
    const obj = minimalCsv();
    const { path: _drop, ...data } = obj.job.data;
    const err = configError({ job: { ...obj.job, data } });
    expect(issueAt(err, "job.data.path")).toMatchObject({ value: undefined, allowed: "file path (string, required)" });
    expect(err.message).toContain("job.data.path: got nothing; allowed: file path (string, required)");
  });

  it("reports a missing job as a required mapping", () => {
    expect(configError({}).message).toContain("job: got nothing; allowed: mapping (required)");
  });

  it("accepts sync with its micro-batch count and ssp with its staleness bound, and rejects other modes", () => {
    expect(parseConfig(withField("job.mode", "sync")).job).toMatchObject({ mode: "sync", microBatches: 4 });
    expect(parseConfig(withField("job.mode", "ssp")).job).toMatchObject({ mode: "ssp", staleness: 2 });
    const err = configError(withField("job.mode", "bsp"));
    expect(issueAt(err, "job.mode").value).toBe("bsp");
    expect(err.message).toMatch(/job\.mode: got "bsp"; allowed: async \| ssp \| sync/);
    expect(issueAt(configError(withField("job.staleness", -1)), "job.staleness").value).toBe(-1);
  });

  it("requires a label when the format is csv", () => {
    const obj = minimalCsv();
    const { label: _drop, ...data } = obj.job.data;
    const err = configError({ job: { ...obj.job, data } });
    expect(issueAt(err, "job.data.label").allowed).toContain("required when job.data.format is csv");
  });

  it("does not require a label for criteo", () => {
    const cfg = parseConfig({ job: { model: "lr", data: { path: "t.tsv", format: "criteo" } } });
    expect(cfg.job.data.label).toBeUndefined();
  });

  it("reports the missing csv label together with the other bad fields", () => {
    const err = configError({ job: { model: "lr", batch: 0, data: { path: "t.csv", format: "csv" } } });
    expect(err.issues.map((i) => i.path).sort()).toEqual(["job.batch", "job.data.label"]);
  });

  it("reports an unknown key with the keys allowed beside it", () => {
    const err = configError(withField("job.optimzer", { kind: "sgd" }));
    const issue = issueAt(err, "job.optimzer");
    expect(issue.allowed).toContain("optimizer");
    expect(err.message).toContain("job.optimzer: unknown key; allowed keys under job: model | embeddingDim | data | optimizer");
  });

  it("reports every bad field in one error", () => {
    const err = configError({ ...withField("job.optimizer.kind", "adamw"), partitions: 0, log: { level: "loud" } });
    expect(err.issues.map((i) => i.path).sort()).toEqual(["job.optimizer.kind", "log.level", "partitions"]);
  });

  it("is an Error with a name, so callers can match it with instanceof", () => {
    const err = configError(5);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ConfigError");
    expect(err.message).toContain("(document): got 5; allowed: mapping");
  });

  it("uses embedding dim 16 for dlrm-small whatever the default", () => {
    const cfg = parseConfig({ job: { model: "dlrm-small", data: { path: "t.tsv", format: "criteo" } } });
    expect(cfg.job.embeddingDim).toBe(16);
  });

  it("rejects any embedding dim other than 16 for dlrm-small", () => {
    const err = configError({ job: { model: "dlrm-small", embeddingDim: 8, data: { path: "t.tsv", format: "criteo" } } });
    expect(err.message).toContain("job.embeddingDim: got 8; allowed: 16 or unset (dlrm-small uses 16 fixed)");
  });

  it("keeps the embedding dim given for fm", () => {
    expect(parseConfig(withField("job.embeddingDim", 32)).job.embeddingDim).toBe(32);
  });

  it("accepts several comma-separated nats:// URLs", () => {
    const cfg = parseConfig(withField("nats.url", "nats://a:4222,nats://b:4222"));
    expect(cfg.nats.url).toBe("nats://a:4222,nats://b:4222");
  });
});
