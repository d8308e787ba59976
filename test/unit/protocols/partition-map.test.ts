import { describe, expect, it } from "vitest";
import { partitionOf, partitionsOwnedBy, roundRobinMap } from "../../../protocols/index.js";

describe("partitionOf", () => {
  it("is stable: the same key always lands in the same partition", () => {
    expect(partitionOf(3, 123456, 256)).toBe(partitionOf(3, 123456, 256));
  });

  it("spreads sequential ids of one table evenly over partitions", () => {
    const counts = new Array(256).fill(0);
    for (let id = 0; id < 256 * 200; id++) counts[partitionOf(5, id, 256)]++;
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.6);
  });

  it("separates the same id in different tables", () => {
    let same = 0;
    for (let id = 0; id < 1000; id++) if (partitionOf(0, id, 256) === partitionOf(1, id, 256)) same++;
    expect(same).toBeLessThan(20);
  });
});

describe("roundRobinMap", () => {
  it("gives every shard an equal share of partitions and every partition one owner", () => {
    const map = roundRobinMap(1, 256, ["shard-0", "shard-1", "shard-2"], "job");
    const owned = ["shard-0", "shard-1", "shard-2"].map((s) => partitionsOwnedBy(map, s).length);
    expect(owned.reduce((a, b) => a + b, 0)).toBe(256);
    expect(Math.max(...owned) - Math.min(...owned)).toBeLessThanOrEqual(1);
  });
});
