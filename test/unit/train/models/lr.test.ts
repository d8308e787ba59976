import { describe, expect, it } from "vitest";
import { DENSE_TABLE, createModel, denseSegmentsOf, type ModelOptions } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { denseIndex, expectGradientsMatch, plannedRows, sparseIndices } from "../helpers/gradient-check.js";
import { referenceLoss } from "../helpers/reference-models.js";
import { seededRandom } from "../helpers/seeded-random.js";

const opts: ModelOptions = { kind: "lr", seed: 3, fields: 4, denseDim: 3, denseBlock: 8 };

describe("lr model", () => {
  it("has rows of one weight per field and [bias, dense weights] as dense parameters", () => {
    const model = createModel(opts);
    expect(model.tables.map((t) => [t.table, t.dim])).toEqual([[0, 1], [1, 1], [2, 1], [3, 1], [DENSE_TABLE, 8]]);
    expect(denseSegmentsOf(opts).map((s) => [s.name, s.offset, s.size])).toEqual([["bias", 0, 1], ["dense.weight", 1, 3]]);
  });

  it("starts every weight at zero, so it first predicts 0.5", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(1), 5, 4, 3, 10);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(2), 0, false);
    for (let k = 0; k < plan.keys.ids.length; k++) {
      model.initRow(plan.keys.tables[k]!, plan.keys.ids[k]!, rows, plan.rowOffset[k]!);
    }
    expect(rows.every((v) => v === 0)).toBe(true);
    expect([...model.predict(batch, plan, rows)]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it("predicts sigmoid(bias + Σ_f w[f, id_f] + Σ_d wd·x_d)", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(3), 6, 4, 3, 3);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(4), 0.5, true);
    const { logits } = referenceLoss(opts, batch, plan, Float64Array.from(rows));
    const probs = model.predict(batch, plan, rows);
    logits.forEach((z, b) => expect(probs[b]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6));
  });

  it("returns d(mean loss)/d(row) for every row, summed over the examples sharing it", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(5), 9, 4, 3, 3);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(6), 0.5, true);
    const dense = [0, 1, 2, 3].map((p) => denseIndex(model, plan, p));
    expectGradientsMatch(opts, model, batch, plan, rows, [...sparseIndices(model, plan), ...dense]);
  });

  it("leaves the padding of the last dense block with a zero gradient", () => {
    const model = createModel(opts);
    const batch = randomBatch(seededRandom(7), 4, 4, 3, 3);
    const plan = model.plan(batch);
    const { grads } = model.step(batch, plan, plannedRows(model, plan, seededRandom(8), 0.5, true));
    const last = plan.rowOffset[plan.denseSlots[0]!]!;
    expect([...grads.subarray(last + 4, last + 8)]).toEqual([0, 0, 0, 0]);
  });
});
