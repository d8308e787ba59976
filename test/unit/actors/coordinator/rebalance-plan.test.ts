import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxOverMean, planRebalance, PlanVerdict } from "../../../../actors/coordinator/rebalance-plan.js";
import { roundRobinMap } from "../../../../protocols/index.js";

const SHARDS = ["shard-0", "shard-1", "shard-2", "shard-3"];
const map16 = roundRobinMap(1, 16, SHARDS, "job");

/** Applies a plan's moves to the owners and sums the load per live shard. */
function loadsAfter(owners: readonly string[], load: readonly number[], shards: readonly string[], moves: readonly { partition: number; from: string; to: string }[]): number[] {
  const o = [...owners];
  for (const m of moves) {
    expect(o[m.partition]).toBe(m.from);
    o[m.partition] = m.to;
  }
  return shards.map((s) => o.reduce((sum, owner, p) => sum + (owner === s ? load[p]! : 0), 0));
}

describe("planRebalance", () => {
  it("moves nothing when the shards are already within the target", () => {
    const plan = planRebalance({ owners: map16.owners, load: Array(16).fill(100), shards: SHARDS });
    expect(plan.moves).toEqual([]);
    expect(plan.verdict).toBe(PlanVerdict.Balanced);
    expect(plan.ratioBefore).toBeCloseTo(1, 9);
    expect(plan.ratioAfter).toBe(plan.ratioBefore);
  });

  it("moves partitions off one hot shard onto the cold ones until the target is reached", () => {
    // shard-0 owns 0, 4, 8, 12: give each 300 rows/s, every other partition 100.
    const load = Array.from({ length: 16 }, (_, p) => (p % 4 === 0 ? 300 : 100));
    const plan = planRebalance({ owners: map16.owners, load, shards: SHARDS });
    expect(plan.ratioBefore).toBeCloseTo(1200 / 600, 9);
    expect(plan.moves.length).toBeGreaterThan(0);
    expect(plan.moves[0]!.from).toBe("shard-0");
    expect(plan.after.get("shard-0")).toBeLessThanOrEqual(1.15 * 600);
    expect(plan.verdict).toBe(PlanVerdict.Reached);
    expect(plan.ratioAfter).toBeLessThanOrEqual(1.15);
    expect(maxOverMean(loadsAfter(map16.owners, load, SHARDS, plan.moves))).toBeCloseTo(plan.ratioAfter, 9);
    expect(plan.moves[0]!.reason).toMatch(/shard-0 is the hottest shard/);
  });

  it("fills a new shard that owns nothing yet", () => {
    const shards = [...SHARDS, "shard-4"];
    const owners = roundRobinMap(1, 20, SHARDS, "job").owners;
    const plan = planRebalance({ owners, load: Array(20).fill(100), shards, maxMoves: 16 });
    expect(plan.ratioBefore).toBeCloseTo(500 / 400, 9);
    expect(plan.moves).toHaveLength(4);
    expect(plan.moves.every((m) => m.to === "shard-4")).toBe(true);
    expect(plan.ratioAfter).toBeCloseTo(1, 9);
  });

  it("keeps no move that does not lower max/mean (shards tied at the top, nothing better possible)", () => {
    // 16 equal partitions over 5 shards: some shard must hold 4, so max/mean 1.25 is the best there is.
    const plan = planRebalance({ owners: map16.owners, load: Array(16).fill(100), shards: [...SHARDS, "shard-4"], maxMoves: 16 });
    expect(plan.moves).toEqual([]);
    expect(plan.verdict).toBe(PlanVerdict.Stuck);
    expect(plan.ratioAfter).toBe(plan.ratioBefore);
  });

  it("says when one partition alone is hotter than the target allows, and still improves what it can", () => {
    // Partition 0 carries 3000 rows/s; the total is 4500, the mean 1125: 2.7× the mean by itself.
    const load = Array.from({ length: 16 }, (_, p) => (p === 0 ? 3000 : 100));
    const plan = planRebalance({ owners: map16.owners, load, shards: SHARDS });
    expect(plan.verdict).toBe(PlanVerdict.Dominated);
    expect(plan.dominant).toMatchObject({ partition: 0, load: 3000 });
    expect(plan.explanation).toMatch(/partition 0 alone carries 3000 rows\/s.*splitting/);
    expect(plan.ratioAfter).toBeLessThanOrEqual(plan.ratioBefore);
    // The best possible: shard-0 holds partition 0 alone.
    expect(plan.ratioAfter).toBeCloseTo(3000 / 1125, 9);
  });

  it("stops at the cap on moves, and says the target was not reached because of it", () => {
    const load = Array.from({ length: 16 }, (_, p) => (p % 4 === 0 ? 300 : 100));
    const plan = planRebalance({ owners: map16.owners, load, shards: SHARDS, maxMoves: 1 });
    expect(plan.moves).toHaveLength(1);
    expect(plan.verdict).toBe(PlanVerdict.Capped);
    expect(plan.ratioAfter).toBeLessThan(plan.ratioBefore);
    expect(plan.ratioAfter).toBeGreaterThan(1.15);
  });

  it("plans nothing from no load at all, saying why", () => {
    const plan = planRebalance({ owners: map16.owners, load: [], shards: SHARDS });
    expect(plan.verdict).toBe(PlanVerdict.NoLoad);
    expect(plan.moves).toEqual([]);
    expect(plan.ratioBefore).toBe(1);
  });

  it("leaves partitions of a shard that is not live where they are, and never moves onto it", () => {
    const load = Array.from({ length: 16 }, (_, p) => (p % 4 === 0 ? 300 : 100));
    const plan = planRebalance({ owners: map16.owners, load, shards: ["shard-0", "shard-1", "shard-2"] });
    expect(plan.orphaned).toEqual([3, 7, 11, 15]);
    expect(plan.moves.some((m) => m.to === "shard-3" || m.partition % 4 === 3)).toBe(false);
  });

  it("is deterministic: the same input gives the same plan", () => {
    const load = Array.from({ length: 16 }, (_, p) => (p * 37) % 11 + 1);
    const a = planRebalance({ owners: map16.owners, load, shards: SHARDS, targetRatio: 1.01 });
    const b = planRebalance({ owners: map16.owners, load, shards: SHARDS, targetRatio: 1.01 });
    expect(a.moves).toEqual(b.moves);
  });

  it("refuses a target below 1 and a negative cap", () => {
    expect(() => planRebalance({ owners: map16.owners, load: [], shards: SHARDS, targetRatio: 0.5 })).toThrow(RangeError);
    expect(() => planRebalance({ owners: map16.owners, load: [], shards: SHARDS, maxMoves: -1 })).toThrow(RangeError);
  });

  it("on any map and load: at most cap moves, max/mean never rises, the prediction matches the moves, and a reached verdict is within the target", () => {
    const input = fc.record({
      shards: fc.integer({ min: 1, max: 8 }),
      partitions: fc.integer({ min: 1, max: 64 }),
      seedOwners: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
      loads: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 50 })), { minLength: 64, maxLength: 64 }),
      target: fc.double({ min: 1, max: 3, noNaN: true }),
      cap: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(fc.property(input, ({ shards: n, partitions, seedOwners, loads, target, cap }) => {
      const shards = Array.from({ length: n }, (_, i) => `shard-${i}`);
      const owners = Array.from({ length: partitions }, (_, p) => shards[seedOwners[p]! % n]!);
      const load = loads.slice(0, partitions);
      const plan = planRebalance({ owners, load, shards, targetRatio: target, maxMoves: cap });
      expect(plan.moves.length).toBeLessThanOrEqual(cap);
      expect(plan.ratioAfter).toBeLessThanOrEqual(plan.ratioBefore + 1e-12);
      expect(maxOverMean(loadsAfter(owners, load, shards, plan.moves))).toBeCloseTo(plan.ratioAfter, 6);
      expect(new Set(plan.moves.map((m) => m.partition)).size).toBe(plan.moves.length);
      if (plan.verdict === PlanVerdict.Reached || plan.verdict === PlanVerdict.Balanced) expect(plan.ratioAfter).toBeLessThanOrEqual(target);
      if (plan.ratioBefore <= target) expect(plan.moves).toEqual([]);
    }), { numRuns: 1000 });
  });
});
