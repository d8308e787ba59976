/**
 * dlrm-small, the benchmark model (shared/bench/README.md), generalised to D dense and
 * F categorical features: bottom MLP D → 64 → k (ReLU after both), concatenated with the
 * F embeddings of width k ((F+1)·k), top MLP → 128 → 64 → 1 (ReLU after the first two),
 * BCE with logits, mean over the batch. k = 16 by default. Embeddings start uniform
 * (−0.01, 0.01); every linear layer's weight and bias uniform(±1/√fan_in), PyTorch's
 * default scale. Activations live in per-model Float64 scratch reused across batches.
 */
import { ModelKind, type BatchPlan, type ExampleBatch } from "../types.js";
import { meanBce } from "./bce.js";
import type { SegmentSpec } from "./dense-layout.js";
import type { MatrixView } from "./gemm.js";
import { uniformAt } from "./init-hash.js";
import { linearBackward, linearForward, type LinearLayer } from "./linear-kernels.js";
import { DEFAULT_DLRM_EMBEDDING_DIM, type ModelOptions } from "./model-options.js";
import { SparseDenseModel } from "./sparse-dense-model.js";
import { Workspace } from "./workspace.js";

const BOTTOM_HIDDEN = 64;
const TOP_HIDDEN_1 = 128;
const TOP_HIDDEN_2 = 64;
/** Initial embeddings are uniform(−EMBEDDING_BOUND, EMBEDDING_BOUND). */
const EMBEDDING_BOUND = 0.01;

type LayerName = "bottom.0" | "bottom.1" | "top.0" | "top.1" | "top.2";

/** The layers in forward order, with their input and output widths. */
function layerShapes(denseDim: number, fields: number, k: number): [LayerName, number, number][] {
  return [
    ["bottom.0", denseDim, BOTTOM_HIDDEN],
    ["bottom.1", BOTTOM_HIDDEN, k],
    ["top.0", (fields + 1) * k, TOP_HIDDEN_1],
    ["top.1", TOP_HIDDEN_1, TOP_HIDDEN_2],
    ["top.2", TOP_HIDDEN_2, 1],
  ];
}

/** Rows of a scratch matrix with the given row stride. */
const rowsOf = (data: Float64Array, stride: number): MatrixView => ({ data, offset: 0, stride });

/** The dlrm-small model. @internal */
export class DlrmSmallModel extends SparseDenseModel {
  readonly kind = ModelKind.DlrmSmall;
  readonly #k: number;
  /** Width of the concatenation z = [bottom output, embedding_0, …, embedding_{F-1}]. */
  readonly #width: number;
  readonly #layers: Readonly<Record<LayerName, LinearLayer>>;
  readonly #work = new Workspace();
  #capacity = 0;
  // Activations (and their gradients), rows × width each.
  #x0 = new Float64Array(0);
  #h1 = new Float64Array(0);
  #z = new Float64Array(0);
  #h3 = new Float64Array(0);
  #h4 = new Float64Array(0);
  #logits = new Float64Array(0);
  #dLogits = new Float64Array(0);
  #dh4 = new Float64Array(0);
  #dh3 = new Float64Array(0);
  #dz = new Float64Array(0);
  #dh1 = new Float64Array(0);

  constructor(opts: ModelOptions) {
    const k = opts.embeddingDim ?? DEFAULT_DLRM_EMBEDDING_DIM;
    const shapes = layerShapes(opts.denseDim, opts.fields, k);
    const segments: SegmentSpec[] = [];
    for (const [name, inDim, outDim] of shapes) {
      const bound = 1 / Math.sqrt(Math.max(1, inDim));
      segments.push({ name: `${name}.weight`, shape: [outDim, inDim], bound });
      segments.push({ name: `${name}.bias`, shape: [outDim], bound });
    }
    super(opts, k, segments);
    this.#k = k;
    this.#width = (opts.fields + 1) * k;
    const layer = ([name, inDim, outDim]: [LayerName, number, number]): LinearLayer => ({
      inDim,
      outDim,
      weight: this.dense.segment(`${name}.weight`).offset,
      bias: this.dense.segment(`${name}.bias`).offset,
    });
    const [bottom0, bottom1, top0, top1, top2] = shapes.map(layer) as [LinearLayer, LinearLayer, LinearLayer, LinearLayer, LinearLayer];
    this.#layers = { "bottom.0": bottom0, "bottom.1": bottom1, "top.0": top0, "top.1": top1, "top.2": top2 };
  }

  protected initSparseRow(key: number, out: Float32Array, off: number): void {
    for (let c = 0; c < this.#k; c++) out[off + c] = uniformAt(key, c, EMBEDDING_BOUND);
  }

  protected forward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float64Array {
    const B = batch.rows;
    const F = this.fields;
    const D = this.denseDim;
    const k = this.#k;
    const W = this.#width;
    const L = this.#layers;
    const params = this.denseParams;
    this.#reserve(B);
    const x0 = this.#x0;
    for (let i = 0; i < B * D; i++) x0[i] = batch.dense[i]!;
    linearForward(L["bottom.0"], params, B, rowsOf(x0, D), rowsOf(this.#h1, BOTTOM_HIDDEN), true);
    // The bottom MLP writes its output straight into the first k columns of z.
    linearForward(L["bottom.1"], params, B, rowsOf(this.#h1, BOTTOM_HIDDEN), rowsOf(this.#z, W), true);
    const z = this.#z;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) {
        const src = rowOffset[slot[b * F + f]!]!;
        const dst = b * W + (f + 1) * k;
        for (let c = 0; c < k; c++) z[dst + c] = rows[src + c]!;
      }
    }
    linearForward(L["top.0"], params, B, rowsOf(z, W), rowsOf(this.#h3, TOP_HIDDEN_1), true);
    linearForward(L["top.1"], params, B, rowsOf(this.#h3, TOP_HIDDEN_1), rowsOf(this.#h4, TOP_HIDDEN_2), true);
    linearForward(L["top.2"], params, B, rowsOf(this.#h4, TOP_HIDDEN_2), rowsOf(this.#logits, 1), false);
    return this.#logits;
  }

  protected backward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, grads: Float32Array): number {
    const B = batch.rows;
    const F = this.fields;
    const k = this.#k;
    const W = this.#width;
    const L = this.#layers;
    const params = this.denseParams;
    const grad = this.denseGrad;
    const work = this.#work;
    const loss = meanBce(this.forward(batch, plan, rows), batch.labels, B, this.#dLogits);
    const h4 = rowsOf(this.#h4, TOP_HIDDEN_2);
    const h3 = rowsOf(this.#h3, TOP_HIDDEN_1);
    const h1 = rowsOf(this.#h1, BOTTOM_HIDDEN);
    const dh4 = rowsOf(this.#dh4, TOP_HIDDEN_2);
    const dh3 = rowsOf(this.#dh3, TOP_HIDDEN_1);
    const dh1 = rowsOf(this.#dh1, BOTTOM_HIDDEN);
    const dz = rowsOf(this.#dz, W);
    linearBackward(L["top.2"], params, B, h4, rowsOf(this.#dLogits, 1), grad, dh4, TOP_HIDDEN_2, work);
    linearBackward(L["top.1"], params, B, h3, dh4, grad, dh3, TOP_HIDDEN_1, work);
    // Only the first k columns of z (the bottom MLP's output) went through a ReLU.
    linearBackward(L["top.0"], params, B, rowsOf(this.#z, W), dh3, grad, dz, k, work);
    linearBackward(L["bottom.1"], params, B, h1, dz, grad, dh1, BOTTOM_HIDDEN, work);
    linearBackward(L["bottom.0"], params, B, rowsOf(this.#x0, this.denseDim), dh1, grad, null, 0, work);

    const dzs = this.#dz;
    const slot = plan.slot;
    const rowOffset = plan.rowOffset;
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) {
        const o = rowOffset[slot[b * F + f]!]!;
        const src = b * W + (f + 1) * k;
        for (let c = 0; c < k; c++) grads[o + c] = grads[o + c]! + dzs[src + c]!;
      }
    }
    return loss;
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    this.#capacity = rows;
    const W = this.#width;
    this.#x0 = new Float64Array(rows * this.denseDim);
    this.#h1 = new Float64Array(rows * BOTTOM_HIDDEN);
    this.#z = new Float64Array(rows * W);
    this.#h3 = new Float64Array(rows * TOP_HIDDEN_1);
    this.#h4 = new Float64Array(rows * TOP_HIDDEN_2);
    this.#logits = new Float64Array(rows);
    this.#dLogits = new Float64Array(rows);
    this.#dh4 = new Float64Array(rows * TOP_HIDDEN_2);
    this.#dh3 = new Float64Array(rows * TOP_HIDDEN_1);
    this.#dz = new Float64Array(rows * W);
    this.#dh1 = new Float64Array(rows * BOTTOM_HIDDEN);
  }
}
