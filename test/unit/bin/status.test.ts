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
});
