import { describe, expect, it } from "vitest";
import { NativeKernelsUnavailableError } from "../../../../gpu/index.js";
import { createModel, type ModelOptions } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { plannedRows } from "../helpers/gradient-check.js";
import { nativeBuilt } from "../helpers/kernel-choices.js";
import { seededRandom } from "../helpers/seeded-random.js";

const opts: ModelOptions = { kind: "dlrm-small", seed: 3, fields: 4, denseDim: 3, denseBlock: 256 };

/** One step of a model built from opts, on a fixed batch. */
function stepOf(o: ModelOptions): { loss: number; grads: Float32Array } {
  const model = createModel(o);
  const batch = randomBatch(seededRandom(1), 9, 4, 3, 4);
  const plan = model.plan(batch);
  return model.step(batch, plan, plannedRows(model, plan, seededRandom(2), 0.5, true));
}

describe("the kernels option of a model", () => {
  it("builds a model with the default kernels whether or not the addon is built", () => {
    expect(Number.isFinite(stepOf(opts).loss)).toBe(true);
  });

  it.skipIf(!nativeBuilt)("defaults to the native kernels where the addon is built (same bits as asking for them)", () => {
    const byDefault = stepOf(opts);
    const native = stepOf({ ...opts, kernels: "native" });
    expect(byDefault.loss).toBe(native.loss);
    expect(byDefault.grads).toEqual(native.grads);
  });

  it.skipIf(nativeBuilt)("refuses an explicit native where the addon is not built, saying how to build it", () => {
    expect(() => createModel({ ...opts, kernels: "native" })).toThrow(NativeKernelsUnavailableError);
  });

  it("gives the same loss to fp32 rounding on ts and native kernels", () => {
    const ts = stepOf({ ...opts, kernels: "ts" });
    const other = stepOf(nativeBuilt ? { ...opts, kernels: "native" } : opts);
    expect(other.loss).toBeCloseTo(ts.loss, 5);
  });

  it("rejects kernels other than ts and native", () => {
    expect(() => createModel({ ...opts, kernels: "gpu" as "ts" })).toThrow(RangeError);
  });
});
