import { describe, expect, it } from "vitest";
import { createModel, type ModelOptions } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { denseIndex, expectGradientsMatch, plannedRows, sparseIndices } from "../helpers/gradient-check.js";
import { referenceLoss } from "../helpers/reference-models.js";
import { seededRandom } from "../helpers/seeded-random.js";

const opts: ModelOptions = { kind: "fm", seed: 11, fields: 5, denseDim: 2, embeddingDim: 4, denseBlock: 16 };

describe("fm model", () => {
  it("has rows [w, v_0..v_{k-1}] with w = 0 and v uniform in (−0.01, 0.01)", () => {
    const model = createModel(opts);
    expect(model.dim(0)).toBe(5);
    const row = new Float32Array(5 * 50);
    for (let id = 0; id < 50; id++) model.initRow(2, id, row, id * 5);
    for (let id = 0; id < 50; id++) {
      expect(row[id * 5]).toBe(0);
      for (let c = 1; c < 5; c++) expect(Math.abs(row[id * 5 + c]!)).toBeLessThan(0.01);
    }
    expect(new Set(row).size).toBeGreaterThan(150);
  });

  it("adds Σ_{f<g} <v_f, v_g> to the lr logit", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(1), 7, 5, 2, 4);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(2), 0.5, true);
    const { logits } = referenceLoss(opts, batch, plan, Float64Array.from(rows));
    const probs = model.predict(batch, plan, rows);
    logits.forEach((z, b) => expect(probs[b]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6));
  });

  it("returns d(mean loss)/d(row) for w and v of every row, summed over the examples sharing it", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(3), 8, 5, 2, 3);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(4), 0.5, true);
    const dense = [0, 1, 2].map((p) => denseIndex(model, plan, p));
    expectGradientsMatch(opts, model, batch, plan, rows, [...sparseIndices(model, plan), ...dense]);
  });
});
