/**
 * dlrm-small, the benchmark model (shared/bench/README.md), generalised to D dense and
 * F categorical features: bottom MLP D → 64 → k (ReLU after both), concatenated with the
 * F embeddings of width k ((F+1)·k), top MLP → 128 → 64 → 1 (ReLU after the first two),
 * BCE with logits, mean over the batch. k = 16 by default. Embeddings start uniform
 * (−0.01, 0.01); every linear layer's weight and bias uniform(±1/√fan_in), PyTorch's
 * default scale. All of the math runs through the kernel interface (gpu/) chosen by the
 * `kernels` option, on fp32 activations in per-model scratch reused across batches.
 */
import { Activation, type Kernels, type Matrix } from "../../gpu/index.js";
import { DENSE_TABLE, ModelKind, type BatchPlan, type ExampleBatch } from "../types.js";
import type { SegmentSpec } from "./dense-layout.js";
import { uniformAt } from "./init-hash.js";
import { linearBackward, linearForward, type LinearLayer } from "./linear-layer.js";
import { kernelsFor } from "./model-kernels.js";
import { DEFAULT_DLRM_EMBEDDING_DIM, type ModelOptions } from "./model-options.js";
import { SparseDenseModel } from "./sparse-dense-model.js";

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

/** Rows of a scratch matrix with the given row stride, from column `column`. */
const rowsOf = (data: Float32Array, stride: number, column = 0): Matrix => ({ data, offset: column, stride });

/** The dlrm-small model. @internal */
export class DlrmSmallModel extends SparseDenseModel {
  readonly kind = ModelKind.DlrmSmall;
  readonly #k: number;
  /** Width of the concatenation z = [bottom output, embedding_0, …, embedding_{F-1}]. */
  readonly #width: number;
  readonly #layers: Readonly<Record<LayerName, LinearLayer>>;
  readonly #kernels: Kernels;
  /** The dense gradient in fp32, as the kernels write it; copied into denseGrad. */
  readonly #grad: Float32Array;
  #capacity = 0;
  // Activations (and their gradients), rows × width each.
  #h1 = new Float32Array(0);
  #z = new Float32Array(0);
  #h3 = new Float32Array(0);
  #h4 = new Float32Array(0);
  #logits = new Float32Array(0);
  #dLogits = new Float32Array(0);
  #dh4 = new Float32Array(0);
  #dh3 = new Float32Array(0);
  #dz = new Float32Array(0);
  #dh1 = new Float32Array(0);

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
    this.#kernels = kernelsFor(opts.kernels);
    this.#grad = new Float32Array(this.dense.size);
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

  protected forward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float32Array {
    const B = batch.rows;
    const F = this.fields;
    const k = this.#k;
    const W = this.#width;
    const L = this.#layers;
    const K = this.#kernels;
    const params = this.denseParams;
    this.#reserve(B);
    const x0 = rowsOf(batch.dense, this.denseDim);
    linearForward(K, L["bottom.0"], params, B, x0, rowsOf(this.#h1, BOTTOM_HIDDEN), Activation.Relu);
    // The bottom MLP writes its output straight into the first k columns of z, and the
    // embeddings fill the rest: F rows of k floats per example, row = the key's slot.
    linearForward(K, L["bottom.1"], params, B, rowsOf(this.#h1, BOTTOM_HIDDEN), rowsOf(this.#z, W), Activation.Relu);
    K.gather(rows, k, this.#sparseRowIndex(plan), { data: this.#z, offset: k, stride: W, groups: F });
    linearForward(K, L["top.0"], params, B, rowsOf(this.#z, W), rowsOf(this.#h3, TOP_HIDDEN_1), Activation.Relu);
    linearForward(K, L["top.1"], params, B, rowsOf(this.#h3, TOP_HIDDEN_1), rowsOf(this.#h4, TOP_HIDDEN_2), Activation.Relu);
    linearForward(K, L["top.2"], params, B, rowsOf(this.#h4, TOP_HIDDEN_2), rowsOf(this.#logits, 1), Activation.None);
    return this.#logits;
  }

  protected backward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, grads: Float32Array): number {
    const B = batch.rows;
    const F = this.fields;
    const k = this.#k;
    const W = this.#width;
    const L = this.#layers;
    const K = this.#kernels;
    const params = this.denseParams;
    const grad = this.#grad;
    const loss = K.bceWithLogits(this.forward(batch, plan, rows), batch.labels, B, this.#dLogits);
    const h4 = rowsOf(this.#h4, TOP_HIDDEN_2);
    const h3 = rowsOf(this.#h3, TOP_HIDDEN_1);
    const h1 = rowsOf(this.#h1, BOTTOM_HIDDEN);
    const dh4 = rowsOf(this.#dh4, TOP_HIDDEN_2);
    const dh3 = rowsOf(this.#dh3, TOP_HIDDEN_1);
    const dh1 = rowsOf(this.#dh1, BOTTOM_HIDDEN);
    const z = rowsOf(this.#z, W);
    const dz = rowsOf(this.#dz, W);
    linearBackward(K, L["top.2"], params, B, h4, rowsOf(this.#dLogits, 1), grad, dh4, TOP_HIDDEN_2);
    linearBackward(K, L["top.1"], params, B, h3, dh4, grad, dh3, TOP_HIDDEN_1);
    // Only the first k columns of z (the bottom MLP's output) went through a ReLU.
    linearBackward(K, L["top.0"], params, B, z, dh3, grad, dz, k);
    linearBackward(K, L["bottom.1"], params, B, h1, dz, grad, dh1, BOTTOM_HIDDEN);
    linearBackward(K, L["bottom.0"], params, B, rowsOf(batch.dense, this.denseDim), dh1, grad, null, 0);
    // Embedding gradients: the transpose of the gather, duplicates summed in example order.
    K.scatterAdd({ data: this.#dz, offset: k, stride: W, groups: F }, this.#sparseRowIndex(plan), grads, k);
    const denseGrad = this.denseGrad;
    for (let i = 0; i < grad.length; i++) denseGrad[i] = grad[i]!;
    return loss;
  }

  /**
   * plan.slot as row numbers of a table of width k over the pulled rows: the planner puts
   * sparse key j at j·k, which is checked here rather than trusted.
   */
  #sparseRowIndex(plan: BatchPlan): Int32Array {
    const k = this.#k;
    const { tables } = plan.keys;
    for (let j = 0; j < tables.length && tables[j] !== DENSE_TABLE; j++) {
      if (plan.rowOffset[j] !== j * k) throw new RangeError(`plan puts sparse key ${j} at ${plan.rowOffset[j]}, not ${j * k}`);
    }
    return plan.slot;
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    this.#capacity = rows;
    const W = this.#width;
    this.#h1 = new Float32Array(rows * BOTTOM_HIDDEN);
    this.#z = new Float32Array(rows * W);
    this.#h3 = new Float32Array(rows * TOP_HIDDEN_1);
    this.#h4 = new Float32Array(rows * TOP_HIDDEN_2);
    this.#logits = new Float32Array(rows);
    this.#dLogits = new Float32Array(rows);
    this.#dh4 = new Float32Array(rows * TOP_HIDDEN_2);
    this.#dh3 = new Float32Array(rows * TOP_HIDDEN_1);
    this.#dz = new Float32Array(rows * W);
    this.#dh1 = new Float32Array(rows * BOTTOM_HIDDEN);
  }
}
