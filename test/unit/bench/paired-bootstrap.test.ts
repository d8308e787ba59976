import { describe, expect, it } from "vitest";
import { bootstrapMeanInterval, mean, quantileOfSorted } from "../../../bench/paired-bootstrap.js";
import { seededRandom } from "../../../train/index.js";

/** A standard normal draw from two uniforms (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe("the mean of paired differences with its percentile-bootstrap interval", () => {
  it("reads quantiles between neighbours of sorted values", () => {
    expect(quantileOfSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileOfSorted([0, 10], 0.25)).toBeCloseTo(2.5, 12);
    expect(quantileOfSorted([7], 0.9)).toBe(7);
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });

  it("brackets the mean of 12 recorded paired losses, inside their range and narrower than it", () => {
    // Wall-clock losses of the 12 pairs in the first recorded run.
    const losses = [0.196, -0.104, 0.1, 0.174, -0.225, 0.231, -0.365, 0.119, -0.076, 0.437, -0.992, -0.359];
    const r = bootstrapMeanInterval(losses);
    expect(r.mean).toBeCloseTo(mean(losses), 12);
    expect(r.low).toBeLessThan(r.mean);
    expect(r.high).toBeGreaterThan(r.mean);
    expect(r.low).toBeGreaterThan(Math.min(...losses));
    expect(r.high).toBeLessThan(Math.max(...losses));
    expect(r.level).toBe(0.95);
  });

  it("gives the same interval for the same seed and a single point for identical values", () => {
    const xs = [0.01, 0.03, -0.02, 0.04, 0.0, 0.02];
    expect(bootstrapMeanInterval(xs, { seed: 7 })).toEqual(bootstrapMeanInterval(xs, { seed: 7 }));
    const same = bootstrapMeanInterval([0.02, 0.02, 0.02, 0.02]);
    expect([same.low, same.high]).toEqual([0.02, 0.02]);
  });

  it("narrows as pairs are added: 48 pairs give about half the width of 12 from the same population", () => {
    const random = seededRandom(3);
    const draws = Array.from({ length: 48 }, () => 0.01 + 0.03 * normal(random));
    const w12 = bootstrapMeanInterval(draws.slice(0, 12));
    const w48 = bootstrapMeanInterval(draws);
    const ratio = (w48.high - w48.low) / (w12.high - w12.low);
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.75);
  });

  it("covers the true mean of normal pairs in close to 95% of 300 repeated experiments of 12 pairs", () => {
    const random = seededRandom(11);
    const trueMean = 0.02;
    let covered = 0;
    for (let k = 0; k < 300; k++) {
      const xs = Array.from({ length: 12 }, () => trueMean + 0.05 * normal(random));
      const r = bootstrapMeanInterval(xs, { resamples: 2000, seed: k + 1 });
      if (r.low <= trueMean && trueMean <= r.high) covered++;
    }
    // A percentile interval under-covers a little at n = 12 (about 92%); far off either way is a bug.
    expect(covered / 300).toBeGreaterThan(0.87);
    expect(covered / 300).toBeLessThan(0.98);
  });

  it("claims no interval from 2 values", () => {
    const r = bootstrapMeanInterval([0.01, 0.09]);
    expect(r.level).toBe(0);
    expect([r.low, r.high]).toEqual([0.01, 0.09]);
  });
});
