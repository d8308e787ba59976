import { describe, expect, it } from "vitest";
import { logLoss } from "../../../../train/index.js";

describe("logLoss", () => {
  it("is the mean of −log p for positives and −log(1 − p) for negatives", () => {
    expect(logLoss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.LN2, 12);
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo((-Math.log(0.8) - Math.log(0.6)) / 2, 12);
  });

  it("clips probabilities so a confident mistake costs −log(1e-7), not infinity", () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-7), 3);
    expect(logLoss([1], [0], 1e-3)).toBeCloseTo(-Math.log(1e-3), 9);
  });

  it("is NaN for no rows", () => {
    expect(logLoss([], [])).toBeNaN();
  });
});
