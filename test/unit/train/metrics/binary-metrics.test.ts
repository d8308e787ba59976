import { describe, expect, it } from "vitest";
import { BinaryMetrics, auc, logLoss } from "../../../../train/index.js";
import { seededRandom } from "../helpers/seeded-random.js";

describe("BinaryMetrics", () => {
  it("gives over many pushed batches what auc and logLoss give over all rows at once", () => {
    const random = seededRandom(3);
    const labels: number[] = [];
    const probs: number[] = [];
    const metrics = new BinaryMetrics();
    for (let batch = 0; batch < 7; batch++) {
      const y = Array.from({ length: 300 + batch }, () => (random() < 0.3 ? 1 : 0));
      const p = y.map((v) => Math.fround(Math.min(0.99, Math.max(0.01, v * 0.3 + random() * 0.7))));
      metrics.push(y, p);
      labels.push(...y);
      probs.push(...p);
    }
    const report = metrics.compute();
    expect(report.count).toBe(labels.length);
    expect(report.positives).toBe(labels.filter((y) => y === 1).length);
    expect(report.auc).toBeCloseTo(auc(labels, probs), 12);
    expect(report.logLoss).toBeCloseTo(logLoss(labels, probs), 6);
  });

  it("reports accuracy at 0.5 and the mean prediction", () => {
    const metrics = new BinaryMetrics();
    metrics.push([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.5]);
    const report = metrics.compute();
    expect(report.accuracy).toBe(0.5);
    expect(report.meanPrediction).toBeCloseTo(0.5, 6);
  });
});
