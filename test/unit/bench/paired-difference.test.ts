import { describe, expect, it } from "vitest";
import { floorVerdict, median, medianInterval } from "../../../bench/paired-difference.js";

describe("the median of paired differences with its order-statistic interval", () => {
  it("takes the 2nd smallest and 2nd largest of 10 values, with the exact coverage 1 − 2·11/1024", () => {
    const xs = [0.09, -0.02, 0.01, 0.03, -0.05, 0.02, 0.00, 0.04, -0.01, 0.15];
    const r = medianInterval(xs);
    expect(r.n).toBe(10);
    expect(r.median).toBeCloseTo(0.015, 12);
    expect(r.low).toBe(-0.02);
    expect(r.high).toBe(0.09);
    expect(r.coverage).toBeCloseTo(1 - (2 * 11) / 1024, 12);
  });

  it("widens to the 3rd order statistics at 12 values, where their coverage reaches 95%", () => {
    const r = medianInterval(Array.from({ length: 12 }, (_, i) => i));
    expect([r.low, r.high]).toEqual([2, 9]);
    expect(r.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it("claims no interval from 5 values, which cannot reach 95% coverage", () => {
    const r = medianInterval([1, 2, 3, 4, 5]);
    expect(r.coverage).toBe(0);
    expect(floorVerdict(r, 10)).toBe("not_resolved");
  });

  it("says met only when the whole interval lies under the floor, missed only when it lies above", () => {
    const at = (low: number, high: number) => ({ n: 10, median: (low + high) / 2, low, high, coverage: 0.98 });
    expect(floorVerdict(at(-0.03, 0.04), 0.05)).toBe("met");
    expect(floorVerdict(at(-0.03, 0.06), 0.05)).toBe("not_resolved");
    expect(floorVerdict(at(0.06, 0.09), 0.05)).toBe("missed");
  });

  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
