import { describe, expect, it } from "vitest";
import { renderPlan } from "../../../bin/rebalance.js";
import type { RebalancePlanReply } from "../../../protocols/index.js";

const plan: RebalancePlanReply = {
  v: 1, type: "ctl.rebalance.planned", epoch: 3, targetRatio: 1.15, maxMoves: 8,
  shards: [
    { shardId: "shard-0", rowsPerSec: 36_000, bytesPerSec: 5.2e6, partitions: 64, reportAgeMs: 400 },
    { shardId: "shard-1", rowsPerSec: 24_000, bytesPerSec: 3.9e6, partitions: 64, reportAgeMs: -1 },
  ],
  ratioBefore: 1.2, ratioAfter: 1.02,
  moves: [{ partition: 17, from: "shard-0", to: "shard-1", load: 5400, reason: "shard-0 is the hottest shard" }],
  verdict: "reached", explanation: "1 move(s) bring max/mean from 1.200 to 1.020 (target 1.15)",
  hotKeys: [{ table: 2, id: 202823, partition: 145, rate: 69.1, error: 0 }],
  unreported: ["shard-1"],
};

describe("renderPlan", () => {
  it("shows each shard's load and share of the mean, both ratios, the verdict, every move and the hot keys", () => {
    const text = renderPlan("ctr", plan);
    expect(text).toMatch(/dry run, nothing moves/);
    expect(text).toMatch(/shard-0\s+36\.0 k\s+5\.20 M\s+1\.20\s+64\s+0\.4 s ago/);
    expect(text).toMatch(/shard-1 .* none yet/);
    expect(text).toMatch(/max\/mean 1\.200 now, 1\.020 predicted after 1 move/);
    expect(text).toMatch(/verdict: reached/);
    expect(text).toMatch(/partition\s+17\s+shard-0 → shard-1\s+5\.4 k rows\/s/);
    expect(text).toMatch(/no fresh load report from: shard-1/);
    expect(text).toMatch(/69\s+2:202823\s+p145/);
  });
});
