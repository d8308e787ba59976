import { describe, expect, it } from "vitest";
import { ShardLoadBoard } from "../../../../actors/coordinator/shard-load-board.js";
import { roundRobinMap, type LoadReport } from "../../../../protocols/index.js";

const manualClock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

const report = (shardId: string, at: number, partitions: number[], rows: number): LoadReport => ({
  v: 1, type: "ps.load", shardId, epoch: 1, at, halfLifeMs: 10_000,
  load: {
    partitions, pullRows: partitions.map(() => rows / 2), pushRows: partitions.map(() => rows / 2),
    pullBytes: partitions.map(() => rows * 32), pushBytes: partitions.map(() => rows * 32),
  },
  hotKeys: [{ table: 0, id: partitions[0]!, partition: partitions[0]!, rate: rows, error: 0 }],
});

describe("ShardLoadBoard", () => {
  const map = roundRobinMap(1, 4, ["shard-0", "shard-1"], "job");

  it("sums pulls and pushes per partition and per shard, and plans from them", () => {
    const clock = manualClock();
    const board = new ShardLoadBoard({ clock });
    board.update(report("shard-0", 1, [0, 2], 300));
    board.update(report("shard-1", 1, [1, 3], 100));
    const plan = board.plan(map, ["shard-0", "shard-1"], { targetRatio: 1.15 });
    expect(plan.shards.map((s) => [s.shardId, s.rowsPerSec, s.partitions])).toEqual([["shard-0", 600, 2], ["shard-1", 200, 2]]);
    expect(plan.ratioBefore).toBeCloseTo(1.5, 9);
    // 600|200 → move a 300 over (300|500) → move a 100 back (400|400).
    expect(plan.moves).toHaveLength(2);
    expect(plan.ratioAfter).toBeCloseTo(1, 9);
    expect(plan.hotKeys[0]).toMatchObject({ rate: 300 });
    expect(plan.unreported).toEqual([]);
  });

  it("ignores a shard's report once it is older than staleMs, and lists the shard as unreported", () => {
    const clock = manualClock();
    const board = new ShardLoadBoard({ clock, staleMs: 5000 });
    board.update(report("shard-0", 1, [0, 2], 300));
    clock.advance(4000);
    board.update(report("shard-1", 2, [1, 3], 100));
    clock.advance(2000);
    const plan = board.plan(map, ["shard-0", "shard-1"]);
    expect(plan.shards.find((s) => s.shardId === "shard-0")!.rowsPerSec).toBe(0);
    expect(plan.unreported).toEqual(["shard-0"]);
  });

  it("takes a partition's load from the newest report that carries it", () => {
    const board = new ShardLoadBoard();
    board.update(report("shard-1", 5, [0], 50));
    board.update(report("shard-0", 1, [0], 500));
    expect(board.partitionLoad(4).rows[0]).toBe(50);
  });
});
