import { describe, expect, it } from "vitest";
import { HotKeySketch } from "../../../../actors/shard/hot-key-sketch.js";
import { seededRandom } from "../../train/helpers/seeded-random.js";

/** Draws ids 0..n-1 with P(i) ∝ 1/(i+1)^s, by inverting the cumulative weights. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / (i + 1) ** s;
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const manualClock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

describe("HotKeySketch", () => {
  it("finds the true ten hottest keys of a Zipf(1.1) stream over 100 000 ids with 256 slots", () => {
    const clock = manualClock();
    const sketch = new HotKeySketch({ capacity: 256, clock });
    // Ids are shuffled so that hot keys are not simply the small numbers.
    const draw = zipf(100_000, 1.1, seededRandom(7));
    const truth = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const id = (draw() * 2654435761) >>> 0;
      truth.set(id, (truth.get(id) ?? 0) + 1);
      sketch.offer(3, id);
    }
    const trueTop = [...truth.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([id]) => id);
    const found = sketch.top(10);
    // The same ten keys; the order of the top five (clear gaps between them) exactly.
    expect(new Set(found.map((k) => k.id))).toEqual(new Set(trueTop));
    expect(found.slice(0, 5).map((k) => k.id)).toEqual(trueTop.slice(0, 5));
    expect(found.every((k) => k.table === 3)).toBe(true);
  });

  it("reports a rate per second close to the key's true access rate, with an error bound that contains it", () => {
    const clock = manualClock();
    const sketch = new HotKeySketch({ capacity: 16, halfLifeMs: 10_000, clock });
    // Key (1, 42) is accessed 50 times a second for a minute, among a stream of one-off keys.
    let other = 1000;
    for (let ms = 0; ms < 60_000; ms += 20) {
      sketch.offer(1, 42);
      sketch.offer(2, other++);
      clock.advance(20);
    }
    const [hot] = sketch.top(1);
    expect(hot).toMatchObject({ table: 1, id: 42 });
    expect(hot!.rate).toBeGreaterThan(45);
    expect(hot!.rate - hot!.error).toBeLessThanOrEqual(55);
  });

  it("lets a key that was hot and then went quiet fall out, as newer keys take the load", () => {
    const clock = manualClock();
    const sketch = new HotKeySketch({ capacity: 8, halfLifeMs: 10_000, clock });
    for (let i = 0; i < 10_000; i++) {
      sketch.offer(0, 1);
      if (i % 100 === 0) clock.advance(10);
    }
    expect(sketch.top(1)[0]!.id).toBe(1);
    // Then two minutes of eight other keys, ten accesses a second each: 1200 apiece, far
    // fewer than key 1's 10 000. Without decay key 1 would stay on top; with it, it goes.
    for (let ms = 0; ms < 120_000; ms += 100) {
      for (let k = 0; k < 8; k++) sketch.offer(0, 100 + k);
      clock.advance(100);
    }
    expect(sketch.top(8).map((k) => k.id).sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  });

  it("keeps working past many half-lives (counts are rescaled, never overflow)", () => {
    const clock = manualClock();
    const sketch = new HotKeySketch({ capacity: 4, halfLifeMs: 10, clock });
    for (let i = 0; i < 5000; i++) {
      sketch.offer(0, i % 3);
      clock.advance(1);
    }
    const top = sketch.top(3);
    expect(top.map((k) => k.id).sort()).toEqual([0, 1, 2]);
    for (const k of top) expect(Number.isFinite(k.rate) && k.rate > 0).toBe(true);
  });

  it("never monitors more keys than its capacity", () => {
    const sketch = new HotKeySketch({ capacity: 5 });
    for (let id = 0; id < 100; id++) sketch.offer(0, id);
    expect(sketch.size).toBe(5);
    expect(sketch.top(100)).toHaveLength(5);
  });
});
