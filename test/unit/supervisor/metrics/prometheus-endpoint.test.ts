import { afterEach, describe, expect, it } from "vitest";
import { Counters } from "../../../../actors/runtime/counters.js";
import { recordLatency, STALENESS_HISTOGRAM } from "../../../../actors/runtime/latency-histogram.js";
import type { MemberStatus, StatusReply } from "../../../../protocols/index.js";
import {
  boundedPartitionLoad, MetricsEndpointError, PARTITION_SERIES_LIMIT, startPrometheusEndpoint, type PartitionLoadPoint, type PrometheusEndpoint,
} from "../../../../supervisor/metrics/index.js";

function member(id: string, kind: string, counters: Record<string, number>, restarts = 0): MemberStatus {
  return { id, kind, state: kind === "worker" ? "training" : "serving", pid: 100, host: "h", silentMs: 250, restarts, counters };
}

function status(members: MemberStatus[]): StatusReply {
  return {
    v: 1, type: "ctl.status.reply", cluster: "t", natsUrl: "nats://x:1", runDir: "/tmp/r", supervisorPid: 1, uptimeMs: 1000,
    desiredWorkers: 2, members, mapEpoch: 3, restarts: members.reduce((n, m) => n + m.restarts, 0), events: [],
    partitions: { "shard-0": 100, "shard-1": 156 },
    progress: { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone: 8192, rowsTotal: 60_000, samplesPerSec: 12_345.5, loss: 0.4567, workers: 2 },
  };
}

/** Value of the sample `series` (name plus labels as printed) in a Prometheus text page. */
function sample(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of page.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

let endpoint: PrometheusEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe("the Prometheus endpoint of the root supervisor", () => {
  it("serves the status board's numbers under their metric names", async () => {
    const worker = new Counters();
    worker.inc("rows.trained", 4096);
    worker.inc("batches", 8);
    const shard = { "rows.held": 900, "rows.pulled": 5000, "rows.applied": 4000, "log.applied": 16, "bytes.in": 70_000, "bytes.out": 120_000, "rejected": 3, "rejected.malformed": 2, "rejected.oversized": 1, "served.ps.pull": 16 };
    const s = status([member("worker-0", "worker", worker.snapshot(), 2), member("shard-0", "shard", shard)]);
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => s });
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const page = await (await fetch(endpoint.url)).text();

    expect(sample(page, "colony_job_samples_per_second")).toBe(12_345.5);
    expect(sample(page, "colony_job_loss")).toBeCloseTo(0.4567, 6);
    expect(sample(page, "colony_job_rows_done")).toBe(8192);
    expect(sample(page, "colony_shard_partitions", { actor: "shard-1" })).toBe(156);
    expect(sample(page, "colony_shard_rows_held", { actor: "shard-0" })).toBe(900);
    expect(sample(page, "colony_shard_rows_pulled_total", { actor: "shard-0" })).toBe(5000);
    expect(sample(page, "colony_shard_log_entries_applied_total", { actor: "shard-0" })).toBe(16);
    expect(sample(page, "colony_worker_rows_trained_total", { actor: "worker-0" })).toBe(4096);
    expect(sample(page, "colony_restarts_total", { actor: "worker-0" })).toBe(2);
    expect(sample(page, "colony_rejected_messages_total", { actor: "shard-0", reason: "malformed" })).toBe(2);
    expect(sample(page, "colony_rejected_messages_total", { actor: "shard-0", reason: "oversized" })).toBe(1);
    expect(sample(page, "colony_wire_bytes_total", { actor: "shard-0", direction: "out" })).toBe(120_000);
    expect(sample(page, "colony_members", { kind: "worker", state: "training" })).toBe(1);
    expect(sample(page, "colony_partition_map_epoch")).toBe(3);
  });

  it("exports heartbeat latency histograms bucket for bucket, cumulative as Prometheus expects", async () => {
    const worker = new Counters();
    for (const ms of [0.5, 3, 3, 40, 70_000]) recordLatency(worker, "pull_ms", ms);
    const s = status([member("worker-0", "worker", worker.snapshot())]);
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => s });
    const page = await (await fetch(endpoint.url)).text();
    const bucket = (le: string) => sample(page, "colony_worker_pull_ms_bucket", { actor: "worker-0", le });
    expect(bucket("1")).toBe(1);
    expect(bucket("5")).toBe(3);
    expect(bucket("50")).toBe(4);
    expect(bucket("10000")).toBe(4);
    expect(bucket("+Inf")).toBe(5);
    expect(sample(page, "colony_worker_pull_ms_count", { actor: "worker-0" })).toBe(5);
    expect(sample(page, "colony_worker_pull_ms_sum", { actor: "worker-0" })).toBeCloseTo(70_046.5, 6);
  });

  it("reads a fresh snapshot on every scrape", async () => {
    let rows = 100;
    endpoint = await startPrometheusEndpoint({
      host: "127.0.0.1", port: 0, cluster: "t", status: () => status([member("worker-0", "worker", { "rows.trained": rows })]),
    });
    expect(sample(await (await fetch(endpoint.url)).text(), "colony_worker_rows_trained_total")).toBe(100);
    rows = 250;
    expect(sample(await (await fetch(endpoint.url)).text(), "colony_worker_rows_trained_total")).toBe(250);
  });

  it("serves the latest held-out evaluation as AUC, log loss and its age, and nothing before the first", async () => {
    const before = status([]);
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => before });
    const none = await (await fetch(endpoint.url)).text();
    expect(sample(none, "colony_job_eval_auc")).toBeUndefined();
    await endpoint.close();
    const withEval: StatusReply = {
      ...before, progress: { ...before.progress!, heldOut: { rows: 2048, auc: 0.7123, logloss: 0.4871, at: Date.now() - 3000, rowsDone: 8192, count: 4 } },
    };
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => withEval });
    const page = await (await fetch(endpoint.url)).text();
    expect(sample(page, "colony_job_eval_auc")).toBeCloseTo(0.7123, 6);
    expect(sample(page, "colony_job_eval_logloss")).toBeCloseTo(0.4871, 6);
    const age = sample(page, "colony_job_eval_age_seconds")!;
    expect(age).toBeGreaterThanOrEqual(3);
    expect(age).toBeLessThan(30);
  });

  it("exports a worker's staleness histogram in update-log entries, with a bucket for exactly current", async () => {
    const worker = new Counters();
    for (const entries of [0, 0, 120, 700]) recordLatency(worker, STALENESS_HISTOGRAM, entries);
    const s = status([member("worker-0", "worker", worker.snapshot())]);
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => s });
    const page = await (await fetch(endpoint.url)).text();
    const bucket = (le: string) => sample(page, "colony_worker_staleness_entries_bucket", { actor: "worker-0", le });
    expect(bucket("0")).toBe(2);
    expect(bucket("200")).toBe(3);
    expect(bucket("1000")).toBe(4);
    expect(sample(page, "colony_worker_staleness_entries_count", { actor: "worker-0" })).toBe(4);
    expect(sample(page, "colony_worker_staleness_entries_sum", { actor: "worker-0" })).toBe(820);
  });

  it("serves each shard's load by direction and each partition's load from the shards' reports", async () => {
    const s: StatusReply = {
      ...status([]),
      shardLoad: [
        { shardId: "shard-0", pullRowsPerSec: 1500, pushRowsPerSec: 1400, bytesPerSec: 9000, partitions: 2, reportAgeMs: 300, hotKeys: [] },
        { shardId: "shard-1", pullRowsPerSec: 700, pushRowsPerSec: 650, bytesPerSec: 4000, partitions: 1, reportAgeMs: 300, hotKeys: [] },
      ],
    };
    const partitions: PartitionLoadPoint[] = [
      { partition: 0, shardId: "shard-0", pullRowsPerSec: 1000, pushRowsPerSec: 900 },
      { partition: 2, shardId: "shard-0", pullRowsPerSec: 500, pushRowsPerSec: 500 },
      { partition: 1, shardId: "shard-1", pullRowsPerSec: 700, pushRowsPerSec: 650 },
    ];
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => s, partitionLoad: () => partitions });
    const page = await (await fetch(endpoint.url)).text();
    expect(sample(page, "colony_shard_load_rows_per_second", { actor: "shard-0", direction: "pull" })).toBe(1500);
    expect(sample(page, "colony_shard_load_rows_per_second", { actor: "shard-1", direction: "push" })).toBe(650);
    expect(sample(page, "colony_shard_load_bytes_per_second", { actor: "shard-0" })).toBe(9000);
    expect(sample(page, "colony_partition_load_rows_per_second", { partition: "2", actor: "shard-0", direction: "pull" })).toBe(500);
    expect(sample(page, "colony_partition_load_rows_per_second", { partition: "1", actor: "shard-1", direction: "push" })).toBe(650);
  });

  it("bounds the per-partition series: all partitions up to the limit, else the hottest that many", () => {
    const points = (n: number): PartitionLoadPoint[] =>
      Array.from({ length: n }, (_, p) => ({ partition: p, shardId: `shard-${p % 2}`, pullRowsPerSec: p, pushRowsPerSec: p % 7 }));
    expect(boundedPartitionLoad(points(PARTITION_SERIES_LIMIT))).toHaveLength(PARTITION_SERIES_LIMIT);
    const hottest = boundedPartitionLoad(points(1000));
    expect(hottest).toHaveLength(PARTITION_SERIES_LIMIT);
    const coolestKept = Math.min(...hottest.map((x) => x.pullRowsPerSec + x.pushRowsPerSec));
    const dropped = points(1000).filter((x) => !hottest.some((h) => h.partition === x.partition));
    expect(Math.max(...dropped.map((x) => x.pullRowsPerSec + x.pushRowsPerSec))).toBeLessThanOrEqual(coolestKept);
  });

  it("answers 404 off the /metrics path", async () => {
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => status([]) });
    const res = await fetch(endpoint.url.replace("/metrics", "/"));
    expect(res.status).toBe(404);
  });

  it("fails with advice when its port is taken", async () => {
    endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "t", status: () => status([]) });
    const port = Number(new URL(endpoint.url).port);
    const second = startPrometheusEndpoint({ host: "127.0.0.1", port, cluster: "t", status: () => status([]) });
    await expect(second).rejects.toBeInstanceOf(MetricsEndpointError);
    await expect(second).rejects.toThrow(/observability\.prometheusPort/);
  });
});
