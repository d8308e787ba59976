/**
 * Gradient checking for model tests: build a plan's rows (initial values, optionally
 * perturbed so that no term vanishes), run the model's step, and compare chosen gradient
 * entries with central differences of the float64 reference loss.
 */
import { expect } from "vitest";
import { DENSE_TABLE, type BatchPlan, type ExampleBatch, type Model, type ModelOptions } from "../../../../train/index.js";
import { numericGradient, referenceLoss } from "./reference-models.js";

/** The plan's initial rows, with sparse rows (and dense ones, if asked) replaced by uniform(±scale). */
export function plannedRows(
  model: Model, plan: BatchPlan, random: () => number, scale: number, randomDense: boolean,
): Float32Array {
  const rows = new Float32Array(plan.totalFloats);
  const { tables, ids } = plan.keys;
  for (let k = 0; k < ids.length; k++) {
    const table = tables[k]!;
    const off = plan.rowOffset[k]!;
    model.initRow(table, ids[k]!, rows, off);
    if (table !== DENSE_TABLE || randomDense) {
      const dim = model.dim(table);
      for (let c = 0; c < dim; c++) rows[off + c] = (random() * 2 - 1) * scale;
    }
  }
  return rows;
}

/** Row-buffer indices of every float of every sparse key of the plan. */
export function sparseIndices(model: Model, plan: BatchPlan): number[] {
  const out: number[] = [];
  const { tables } = plan.keys;
  for (let k = 0; k < tables.length; k++) {
    if (tables[k] === DENSE_TABLE) continue;
    const dim = model.dim(tables[k]!);
    for (let c = 0; c < dim; c++) out.push(plan.rowOffset[k]! + c);
  }
  return out;
}

/** Row-buffer index of element p of the flat dense vector. */
export function denseIndex(model: Model, plan: BatchPlan, p: number): number {
  const block = model.dim(DENSE_TABLE);
  return plan.rowOffset[plan.denseSlots[Math.floor(p / block)]!]! + (p % block);
}

/** Expects the model's loss and the given gradient entries to match the float64 reference. */
export function expectGradientsMatch(
  opts: ModelOptions, model: Model, batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, indices: readonly number[],
): void {
  const { loss, grads } = model.step(batch, plan, rows);
  const rows64 = Float64Array.from(rows);
  expect(loss).toBeCloseTo(referenceLoss(opts, batch, plan, rows64).loss, 6);
  let checked = 0;
  for (const i of indices) {
    const numeric = numericGradient(opts, batch, plan, rows64, i);
    const analytic = grads[i]!;
    if (Math.abs(analytic - numeric) > 1e-6 + 1e-4 * Math.abs(numeric)) {
      expect.fail(`gradient at row float ${i}: analytic ${analytic}, numeric ${numeric}`);
    }
    if (numeric !== 0) checked++;
  }
  // Guard against a vacuous check where every gradient is zero.
  expect(checked).toBeGreaterThan(indices.length / 2);
}
