/**
 * Factorization machine over the categorical fields: logit = the lr logit +
 * Σ_{f<g} <v_f, v_g>, computed as ½·Σ_c[(Σ_f v_fc)² − Σ_f v_fc²] in O(F·k). Sparse rows
 * are [w, v_0..v_{k-1}]: w starts at 0, v uniform(−0.01, 0.01). Dense features enter the
 * linear part only. Dense vector: [bias, wd_0..wd_{D-1}], zeros.
 */
import { ModelKind, type BatchPlan, type ExampleBatch } from "../types.js";
import { meanBce } from "./bce.js";
import { uniformAt } from "./init-hash.js";
import { DEFAULT_FM_EMBEDDING_DIM, type ModelOptions } from "./model-options.js";
import { SparseDenseModel } from "./sparse-dense-model.js";

/** Initial embeddings are uniform(−EMBEDDING_BOUND, EMBEDDING_BOUND). */
const EMBEDDING_BOUND = 0.01;

/** Factorization machine. @internal */
export class FmModel extends SparseDenseModel {
  readonly kind = ModelKind.Fm;
  readonly #k: number;
  #logits = new Float64Array(0);
  #dLogits = new Float64Array(0);
  /** Per example, Σ_f v_f (k floats). */
  #sums = new Float64Array(0);

  constructor(opts: ModelOptions) {
    const k = opts.embeddingDim ?? DEFAULT_FM_EMBEDDING_DIM;
    super(opts, 1 + k, [
      { name: "bias", shape: [1], bound: 0 },
      { name: "dense.weight", shape: [opts.denseDim], bound: 0 },
    ]);
    this.#k = k;
  }

  protected initSparseRow(key: number, out: Float32Array, off: number): void {
    out[off] = 0;
    for (let c = 1; c <= this.#k; c++) out[off + c] = uniformAt(key, c, EMBEDDING_BOUND);
  }

  protected forward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float64Array {
    const B = batch.rows;
    const F = this.fields;
    const D = this.denseDim;
    const k = this.#k;
    if (this.#logits.length < B) {
      this.#logits = new Float64Array(B);
      this.#dLogits = new Float64Array(B);
      this.#sums = new Float64Array(B * k);
    }
    const logits = this.#logits;
    const sums = this.#sums;
    const w = this.denseParams;
    const x = batch.dense;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      let z = w[0]!;
      for (let d = 0, xo = b * D; d < D; d++) z += w[1 + d]! * x[xo + d]!;
      const so = b * k;
      sums.fill(0, so, so + k);
      let squares = 0;
      for (let f = 0, si = b * F; f < F; f++) {
        const o = rowOffset[slot[si + f]!]!;
        z += rows[o]!;
        for (let c = 0; c < k; c++) {
          const v = rows[o + 1 + c]!;
          sums[so + c] = sums[so + c]! + v;
          squares += v * v;
        }
      }
      let pairs = 0;
      for (let c = 0; c < k; c++) pairs += sums[so + c]! * sums[so + c]!;
      logits[b] = z + 0.5 * (pairs - squares);
    }
    return logits;
  }

  protected backward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, grads: Float32Array): number {
    const B = batch.rows;
    const F = this.fields;
    const D = this.denseDim;
    const k = this.#k;
    const logits = this.forward(batch, plan, rows);
    const dLogits = this.#dLogits;
    const loss = meanBce(logits, batch.labels, B, dLogits);
    const sums = this.#sums;
    const gd = this.denseGrad;
    const x = batch.dense;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      const g = dLogits[b]!;
      gd[0] = gd[0]! + g;
      for (let d = 0, xo = b * D; d < D; d++) gd[1 + d] = gd[1 + d]! + g * x[xo + d]!;
      const so = b * k;
      for (let f = 0, si = b * F; f < F; f++) {
        const o = rowOffset[slot[si + f]!]!;
        grads[o] = grads[o]! + g;
        // d/dv_fc Σ_{f<g}<v_f, v_g> = (Σ_g v_gc) − v_fc
        for (let c = 0; c < k; c++) {
          const i = o + 1 + c;
          grads[i] = grads[i]! + g * (sums[so + c]! - rows[i]!);
        }
      }
    }
    return loss;
  }
}
