import { describe, expect, it } from "vitest";
import { createModel, type ExampleBatch, type ModelKind } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { plannedRows } from "../helpers/gradient-check.js";
import { KERNEL_CHOICES } from "../helpers/kernel-choices.js";
import { seededRandom } from "../helpers/seeded-random.js";

const KINDS: ModelKind[] = ["lr", "fm", "dlrm-small"];
const CASES = KINDS.flatMap((kind) => KERNEL_CHOICES.map((choice) => ({ kind, ...choice })));

describe.each(CASES)("the step contract of $kind on $kernels kernels", ({ kind, kernels, skip }) => {
  if (skip) it.skip(`(${kernels} kernels: the native addon is not built here; run npm run setup)`, () => {});
  const model = () => createModel({ kind, seed: 1, fields: 3, denseDim: 2, denseBlock: 512, kernels });

  it.skipIf(skip)("returns gradients in the layout of the pulled rows, one float per row float", () => {
    const m = model();
    const batch = randomBatch(seededRandom(1), 5, 3, 2, 4);
    const plan = m.plan(batch);
    const { loss, grads } = m.step(batch, plan, plannedRows(m, plan, seededRandom(2), 0.1, false));
    expect(grads.length).toBe(plan.totalFloats);
    expect(Number.isFinite(loss)).toBe(true);
  });

  it.skipIf(skip)("is a pure function of batch and rows", () => {
    const m = model();
    const batch = randomBatch(seededRandom(3), 5, 3, 2, 4);
    const plan = m.plan(batch);
    const rows = plannedRows(m, plan, seededRandom(4), 0.1, false);
    const first = m.step(batch, plan, rows);
    const second = model().step(batch, plan, rows);
    expect(second.loss).toBe(first.loss);
    expect(second.grads).toEqual(first.grads);
  });

  it.skipIf(skip)("gives loss 0 and zero gradients for an empty batch", () => {
    const m = model();
    const empty: ExampleBatch = {
      rows: 0, fields: 3, denseDim: 2, ids: new Uint32Array(0), dense: new Float32Array(0), labels: new Float32Array(0),
    };
    const plan = m.plan(empty);
    const { loss, grads } = m.step(empty, plan, plannedRows(m, plan, seededRandom(5), 0, false));
    expect(loss).toBe(0);
    expect(grads.every((g) => g === 0)).toBe(true);
    expect(m.predict(empty, plan, new Float32Array(plan.totalFloats)).length).toBe(0);
  });

  it.skipIf(skip)("rejects rows shorter than the plan and a plan made for another batch", () => {
    const m = model();
    const batch = randomBatch(seededRandom(6), 5, 3, 2, 4);
    const other = randomBatch(seededRandom(7), 6, 3, 2, 4);
    const plan = m.plan(batch);
    expect(() => m.step(batch, plan, new Float32Array(plan.totalFloats - 1))).toThrow(RangeError);
    expect(() => m.step(other, plan, new Float32Array(plan.totalFloats))).toThrow(RangeError);
  });
});
