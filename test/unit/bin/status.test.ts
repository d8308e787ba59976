import { describe, expect, it } from "vitest";
import { renderStatus } from "../../../bin/status.js";
import type { StatusReply } from "../../../protocols/index.js";

const status = (over: Partial<StatusReply> = {}): StatusReply => ({
  v: 1, type: "ctl.status.reply", cluster: "ctr", natsUrl: "nats://127.0.0.1:4222", runDir: "/tmp/run", supervisorPid: 1, uptimeMs: 5000,
  desiredWorkers: 2, members: [], partitions: {}, mapEpoch: 1, restarts: 0, events: [], ...over,
});

describe("renderStatus", () => {
  it("shows each shard's load with its share of the mean and its hottest keys when shards have reported", () => {
    const text = renderStatus(status({
      shardLoad: [
        { shardId: "shard-0", pullRowsPerSec: 15_000, pushRowsPerSec: 15_000, bytesPerSec: 4e6, partitions: 128, reportAgeMs: 300,
          hotKeys: [{ table: 2, id: 202823, partition: 145, rate: 69 }] },
        { shardId: "shard-1", pullRowsPerSec: 5000, pushRowsPerSec: 5000, bytesPerSec: 1e6, partitions: 128, reportAgeMs: 200, hotKeys: [] },
      ],
    }));
    expect(text).toMatch(/shard load .* max\/mean 1\.50/);
    expect(text).toMatch(/shard-0\s+30\.0 k rows\/s \(15\.0 k pulled, 15\.0 k pushed\)\s+1\.50× mean\s+hot: 2:202823 69\/s/);
    expect(text).toMatch(/shard-1\s+10\.0 k rows\/s .* 0\.50× mean\s+hot: -/);
  });

  it("has no shard-load section before any report", () => {
    expect(renderStatus(status())).not.toMatch(/shard load/);
  });

  it("shows the latest held-out evaluation and each worker's mean staleness when they exist", () => {
    const progress = { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone: 8192, rowsTotal: 60_000, samplesPerSec: 1000, loss: 0.45, workers: 2 } as const;
    const text = renderStatus(status({
      progress: { ...progress, heldOut: { rows: 2048, auc: 0.71234, logloss: 0.48771, at: Date.now() - 2000, rowsDone: 6144, count: 3 } },
      members: [
        { id: "worker-0", kind: "worker", state: "training", pid: 10, host: "h", silentMs: 100, restarts: 0, counters: { "hist.staleness_entries.count": 4, "hist.staleness_entries.sum": 1000 } },
        { id: "worker-1", kind: "worker", state: "training", pid: 11, host: "h", silentMs: 100, restarts: 0, counters: {} },
      ],
    }));
    expect(text).toMatch(/held-out AUC 0\.7123  logloss 0\.4877  on 2,048 rows, at 6,144 rows trained \([23] s ago\)/);
    expect(text).toMatch(/staleness \(mean update-log entries behind, per batch\): worker-0 250$/m);
    expect(renderStatus(status({ progress }))).not.toMatch(/held-out|staleness/);
  });
});
