import { describe, expect, it } from "vitest";
import type { LoadReport } from "../../../protocols/index.js";
import { latestPartitionLoad } from "../../../supervisor/cluster-status.js";

function report(shardId: string, at: number, partitions: number[], pull: number[], push: number[]): LoadReport {
  return {
    v: 1, type: "ps.load", shardId, epoch: 1, at, halfLifeMs: 10_000,
    load: { partitions, pullRows: pull, pullBytes: pull.map((x) => x * 64), pushRows: push, pushBytes: push.map((x) => x * 64) }, hotKeys: [],
  };
}

describe("per-partition load for the Prometheus gauges", () => {
  it("lists every partition each shard reported, in partition order, with its shard", () => {
    const points = latestPartitionLoad([
      { report: report("shard-1", 1000, [1, 3], [10, 30], [11, 31]), receivedAt: 1000 },
      { report: report("shard-0", 1000, [0, 2], [5, 20], [6, 21]), receivedAt: 1000 },
    ], 2000);
    expect(points).toEqual([
      { partition: 0, shardId: "shard-0", pullRowsPerSec: 5, pushRowsPerSec: 6 },
      { partition: 1, shardId: "shard-1", pullRowsPerSec: 10, pushRowsPerSec: 11 },
      { partition: 2, shardId: "shard-0", pullRowsPerSec: 20, pushRowsPerSec: 21 },
      { partition: 3, shardId: "shard-1", pullRowsPerSec: 30, pushRowsPerSec: 31 },
    ]);
  });

  it("takes the later measurement of a partition two shards reported", () => {
    const points = latestPartitionLoad([
      { report: report("shard-0", 5000, [7], [99], [99]), receivedAt: 5000 },
      { report: report("shard-1", 4000, [7], [1], [1]), receivedAt: 5000 },
    ], 6000);
    expect(points).toEqual([{ partition: 7, shardId: "shard-0", pullRowsPerSec: 99, pushRowsPerSec: 99 }]);
  });

  it("leaves out reports received more than 10 s ago", () => {
    const reports = [{ report: report("shard-0", 1000, [0], [5], [5]), receivedAt: 1000 }];
    expect(latestPartitionLoad(reports, 11_000)).toHaveLength(1);
    expect(latestPartitionLoad(reports, 11_001)).toEqual([]);
  });
});
