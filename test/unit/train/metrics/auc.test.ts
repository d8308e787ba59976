import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auc } from "../../../../train/index.js";
import { seededRandom } from "../helpers/seeded-random.js";

/** The definition: over all (positive, negative) pairs, 1 if the positive scores higher, ½ if tied. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe("auc", () => {
  it("equals the pairwise count with ties as one half, for any labels and scores", () => {
    const example = fc.array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: -5, max: 5 })), { minLength: 2, maxLength: 60 });
    fc.assert(
      fc.property(example, (rows) => {
        const labels = rows.map(([y]) => y);
        const scores = rows.map(([, s]) => s / 4);
        fc.pre(labels.includes(0) && labels.includes(1));
        expect(auc(labels, scores)).toBeCloseTo(pairwiseAuc(labels, scores), 12);
      }),
      { numRuns: 300 },
    );
  });

  it("is 1 for a perfect ranking, 0 for a reversed one and ½ when every score ties", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it("is NaN when one class is missing", () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(auc([], [])).toBeNaN();
  });

  it("rejects NaN scores and mismatched lengths", () => {
    expect(() => auc([0, 1], [0.1, Number.NaN])).toThrow(RangeError);
    expect(() => auc([0, 1], [0.1])).toThrow(RangeError);
  });

  it("scores a million rows with float32 ties in well under a second", () => {
    const random = seededRandom(1);
    const n = 1_000_000;
    const labels = new Float32Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random() < 0.25 ? 1 : 0;
      // Informative but noisy, rounded so that many scores tie.
      scores[i] = Math.round((labels[i]! * 0.5 + random()) * 1000) / 1000;
    }
    const started = performance.now();
    const value = auc(labels, scores);
    expect(performance.now() - started).toBeLessThan(1000);
    // P(U + 0.5 > U') for independent uniforms is 1 − ½·0.5² = 0.875.
    expect(value).toBeCloseTo(0.875, 2);
  });
});
