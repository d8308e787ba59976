import { describe, expect, it } from "vitest";
import { AccessAccounting } from "../../../../actors/shard/access-accounting.js";
import { partitionOf } from "../../../../protocols/index.js";

const manualClock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

describe("AccessAccounting", () => {
  it("counts each pulled and pushed key as one row of its table's bytes in the key's partition", () => {
    const clock = manualClock();
    const acc = new AccessAccounting({ partitions: 8, halfLifeMs: 10_000, clock, sketchSampleEvery: 1 });
    const tables = Uint32Array.of(0, 0, 1, 1, 1);
    const ids = Uint32Array.of(1, 2, 1, 2, 3);
    const bytes = (t: number) => (t === 0 ? 64 : 32);
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      acc.recordPull(tables, ids, bytes);
      acc.recordPush(tables, ids, bytes);
    }
    const r = acc.report("shard-0", 1, [0, 1, 2, 3, 4, 5, 6, 7]);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // 5 rows per pull, 10 pulls a second: 50 rows/s pulled, 50 pushed; 10 × (2·64 + 3·32) = 2240 bytes/s each way.
    const near = (x: number, want: number) => expect(Math.abs(x / want - 1)).toBeLessThan(0.02);
    near(sum(r.load.pullRows), 50);
    near(sum(r.load.pushRows), 50);
    near(sum(r.load.pullBytes), 2240);
    near(sum(r.load.pushBytes), 2240);
    const p = partitionOf(1, 3, 8);
    expect(r.load.pullRows[r.load.partitions.indexOf(p)]).toBeGreaterThanOrEqual(9.5);
    expect(r.hotKeys).toHaveLength(5);
    expect(r.hotKeys.every((k) => k.partition === partitionOf(k.table, k.id, 8))).toBe(true);
  });

  it("reports only the partitions asked for (those the shard owns)", () => {
    const acc = new AccessAccounting({ partitions: 8 });
    acc.recordPull(Uint32Array.of(0, 0, 0), Uint32Array.of(1, 2, 3), () => 4);
    const r = acc.report("shard-1", 2, [1, 3]);
    expect(r.load.partitions).toEqual([1, 3]);
    expect(r).toMatchObject({ shardId: "shard-1", epoch: 2, type: "ps.load" });
  });
});

describe("AccessAccounting's sampled sketch", () => {
  it("still finds a key present in every request, at about its true rate, when it sees one key in eight", () => {
    const clock = manualClock();
    const acc = new AccessAccounting({ partitions: 16, halfLifeMs: 10_000, clock, sketchSampleEvery: 8 });
    let cold = 1000;
    for (let r = 0; r < 600; r++) {
      clock.advance(50);
      // Key (4, 7) first in every request of 40 keys, then 39 keys seen once each.
      const ids = Uint32Array.from({ length: 40 }, (_, i) => (i === 0 ? 7 : cold++));
      acc.recordPull(new Uint32Array(40).fill(4), ids, () => 64);
    }
    const [top] = acc.report("shard-0", 1, []).hotKeys;
    expect(top).toMatchObject({ table: 4, id: 7 });
    // 20 requests a second.
    expect(top!.rate).toBeGreaterThan(18);
    expect(top!.rate).toBeLessThan(22);
  });
});
