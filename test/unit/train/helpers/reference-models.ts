/**
 * Float64 reference forwards of the three models, written the slow, obvious way (FM's
 * pairwise sum as an explicit double loop, the MLPs as naive loops) from the documented
 * layout: weights [out][in] at the offsets denseSegmentsOf gives, dense element p in block
 * p / denseBlock. Gradient checks differentiate these numerically.
 */
import {
  DEFAULT_DENSE_BLOCK,
  denseSegmentsOf,
  type BatchPlan,
  type ExampleBatch,
  type ModelOptions,
} from "../../../../train/index.js";

/** Mean BCE of the batch and every example's logit. */
export interface ReferenceResult {
  readonly loss: number;
  readonly logits: number[];
}

/** The reference loss of `opts`'s model on the batch, reading parameters from rows. */
export function referenceLoss(
  opts: ModelOptions, batch: ExampleBatch, plan: BatchPlan, rows: Float64Array,
): ReferenceResult {
  const F = batch.fields;
  const D = batch.denseDim;
  const block = opts.denseBlock ?? DEFAULT_DENSE_BLOCK;
  const segments = new Map(denseSegmentsOf(opts).map((s) => [s.name, s.offset]));
  const at = (name: string): number => {
    const o = segments.get(name);
    if (o === undefined) throw new Error(`no segment ${name}`);
    return o;
  };
  const size = denseSegmentsOf(opts).reduce((n, s) => n + s.size, 0);
  const flat = new Float64Array(size);
  for (let p = 0; p < size; p++) flat[p] = rows[plan.rowOffset[plan.denseSlots[Math.floor(p / block)]!]! + (p % block)]!;
  const dense = (p: number): number => flat[p]!;
  const sparse = (b: number, f: number, c: number): number => rows[plan.rowOffset[plan.slot[b * F + f]!]! + c]!;
  const x = (b: number, d: number): number => batch.dense[b * D + d]!;
  const linear = (name: string, input: number[], outDim: number, relu: boolean): number[] => {
    const w = at(`${name}.weight`);
    const bias = at(`${name}.bias`);
    const out: number[] = [];
    for (let o = 0; o < outDim; o++) {
      let s = dense(bias + o);
      for (let i = 0; i < input.length; i++) s += dense(w + o * input.length + i) * input[i]!;
      out.push(relu ? Math.max(0, s) : s);
    }
    return out;
  };

  const logits: number[] = [];
  for (let b = 0; b < batch.rows; b++) {
    let logit: number;
    if (opts.kind === "dlrm-small") {
      const k = opts.embeddingDim ?? 16;
      const input = Array.from({ length: D }, (_, d) => x(b, d));
      const bottom = linear("bottom.1", linear("bottom.0", input, 64, true), k, true);
      const z = [...bottom];
      for (let f = 0; f < F; f++) for (let c = 0; c < k; c++) z.push(sparse(b, f, c));
      logit = linear("top.2", linear("top.1", linear("top.0", z, 128, true), 64, true), 1, false)[0]!;
    } else {
      logit = dense(at("bias"));
      for (let d = 0; d < D; d++) logit += dense(at("dense.weight") + d) * x(b, d);
      for (let f = 0; f < F; f++) logit += sparse(b, f, 0);
      if (opts.kind === "fm") {
        const k = opts.embeddingDim ?? 8;
        for (let f = 0; f < F; f++) {
          for (let g = f + 1; g < F; g++) {
            for (let c = 1; c <= k; c++) logit += sparse(b, f, c) * sparse(b, g, c);
          }
        }
      }
    }
    logits.push(logit);
  }
  let loss = 0;
  for (let b = 0; b < batch.rows; b++) {
    const z = logits[b]!;
    const y = batch.labels[b]!;
    const p = 1 / (1 + Math.exp(-z));
    loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return { loss: loss / batch.rows, logits };
}

/** Central difference of the reference loss in rows[index], in float64. */
export function numericGradient(
  opts: ModelOptions, batch: ExampleBatch, plan: BatchPlan, rows: Float64Array, index: number, h = 1e-6,
): number {
  const original = rows[index]!;
  rows[index] = original + h;
  const plus = referenceLoss(opts, batch, plan, rows).loss;
  rows[index] = original - h;
  const minus = referenceLoss(opts, batch, plan, rows).loss;
  rows[index] = original;
  return (plus - minus) / (2 * h);
}
