/**
 * Logistic regression on hashed features: logit = bias + Σ_f w[f, id_f] + Σ_d wd_d·x_d.
 * Sparse rows hold one weight; the dense vector is [bias, wd_0..wd_{D-1}]; all start at 0.
 */
import { ModelKind, type BatchPlan, type ExampleBatch } from "../types.js";
import { meanBce } from "./bce.js";
import type { ModelOptions } from "./model-options.js";
import { SparseDenseModel } from "./sparse-dense-model.js";

/** Logistic regression. @internal */
export class LrModel extends SparseDenseModel {
  readonly kind = ModelKind.Lr;
  #logits = new Float64Array(0);
  #dLogits = new Float64Array(0);

  constructor(opts: ModelOptions) {
    super(opts, 1, [
      { name: "bias", shape: [1], bound: 0 },
      { name: "dense.weight", shape: [opts.denseDim], bound: 0 },
    ]);
  }

  protected initSparseRow(_key: number, out: Float32Array, off: number): void {
    out[off] = 0;
  }

  protected forward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float64Array {
    const B = batch.rows;
    const F = this.fields;
    const D = this.denseDim;
    if (this.#logits.length < B) {
      this.#logits = new Float64Array(B);
      this.#dLogits = new Float64Array(B);
    }
    const logits = this.#logits;
    const w = this.denseParams;
    const x = batch.dense;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      let z = w[0]!;
      for (let d = 0, xo = b * D; d < D; d++) z += w[1 + d]! * x[xo + d]!;
      for (let f = 0, so = b * F; f < F; f++) z += rows[rowOffset[slot[so + f]!]!]!;
      logits[b] = z;
    }
    return logits;
  }

  protected backward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, grads: Float32Array): number {
    const B = batch.rows;
    const F = this.fields;
    const D = this.denseDim;
    const logits = this.forward(batch, plan, rows);
    const dLogits = this.#dLogits;
    const loss = meanBce(logits, batch.labels, B, dLogits);
    const gd = this.denseGrad;
    const x = batch.dense;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      const g = dLogits[b]!;
      gd[0] = gd[0]! + g;
      for (let d = 0, xo = b * D; d < D; d++) gd[1 + d] = gd[1 + d]! + g * x[xo + d]!;
      for (let f = 0, so = b * F; f < F; f++) {
        const o = rowOffset[slot[so + f]!]!;
        grads[o] = grads[o]! + g;
      }
    }
    return loss;
  }
}
