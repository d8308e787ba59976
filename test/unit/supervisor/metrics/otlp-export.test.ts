import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Counters } from "../../../../actors/runtime/counters.js";
import { recordLatency } from "../../../../actors/runtime/latency-histogram.js";
import type { StatusReply } from "../../../../protocols/index.js";
import { startClusterMetrics, type ClusterMetrics } from "../../../../supervisor/metrics/index.js";
import { startOtlpCollector } from "../../../helpers/otlp-collector.js";

function status(): StatusReply {
  const w = new Counters();
  w.inc("rows.trained", 777);
  recordLatency(w, "pull_ms", 4);
  return {
    v: 1, type: "ctl.status.reply", cluster: "o", natsUrl: "nats://x:1", runDir: "/tmp", supervisorPid: 1, uptimeMs: 1, desiredWorkers: 1,
    mapEpoch: 1, restarts: 0, events: [], partitions: { "shard-0": 8 },
    members: [{ id: "worker-0", kind: "worker", state: "training", pid: 2, host: "h", silentMs: 1, restarts: 0, counters: w.snapshot() }],
    progress: { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone: 5, rowsTotal: 10, samplesPerSec: 3, loss: 0.7, workers: 1 },
  };
}

let metrics: ClusterMetrics | undefined;
let server: Server | undefined;
afterEach(async () => {
  await metrics?.close();
  server?.close();
  metrics = undefined;
});

describe("OTLP metric export of the root supervisor", () => {
  it("pushes the status-fed instruments and the heartbeat histograms to the collector's /v1/metrics", async () => {
    const collector = await startOtlpCollector();
    server = collector.server;
    metrics = await startClusterMetrics({ cluster: "o", status, otlp: { url: `${collector.url}/v1/metrics`, intervalMs: 200 } });
    expect(metrics.prometheusUrl).toBeUndefined();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !collector.posts.some((p) => p.body.includes("colony_worker_pull_ms"))) await new Promise((r) => setTimeout(r, 100));
    const post = collector.posts.find((p) => p.body.includes("colony_worker_pull_ms"));
    expect(post?.path).toBe("/v1/metrics");
    expect(post!.body).toContain("colony_job_loss");
    expect(post!.body).toContain("colony_worker_rows_trained");
    expect(post!.body).toContain("worker-0");
  });
});
