import { describe, expect, it } from "vitest";
import { estimateLoss, meanFloorVerdict } from "../../../bench/loss-estimate.js";

describe("the verdict on a loss floor from paired runs", () => {
  it("says met when both the bootstrap and sign-test intervals lie under the floor", () => {
    const losses = [0.011, 0.004, -0.006, 0.018, 0.009, 0.002, 0.013, -0.001, 0.007, 0.015, 0.003, 0.01];
    const e = estimateLoss(losses, 0.05);
    expect(e.mean.high).toBeLessThan(0.05);
    expect(e.median.high).toBeLessThan(0.05);
    expect(e.verdict).toBe("met");
  });

  it("says missed when both lie above the floor", () => {
    const losses = [0.081, 0.074, 0.09, 0.068, 0.102, 0.077, 0.085, 0.071, 0.095, 0.079];
    expect(estimateLoss(losses, 0.05).verdict).toBe("missed");
  });

  it("says not resolved when the losses straddle the floor", () => {
    const losses = [0.196, -0.104, 0.1, 0.174, -0.225, 0.231, -0.365, 0.119, -0.076, 0.437, -0.992, -0.359];
    expect(estimateLoss(losses, 0.05).verdict).toBe("not_resolved");
  });

  it("says not resolved when the mean's interval is clear of the floor but the median's is not", () => {
    // Ten small losses and two far below zero: the median's interval (3rd to 10th of 12) reaches past 5%.
    const losses = [0.01, 0.02, 0.03, 0.04, 0.045, 0.048, 0.049, 0.055, 0.06, 0.07, -0.5, -0.6];
    const e = estimateLoss(losses, 0.05);
    expect(meanFloorVerdict(e.mean, 0.05)).toBe("met");
    expect(e.median.high).toBeGreaterThan(0.05);
    expect(e.verdict).toBe("not_resolved");
  });
});
