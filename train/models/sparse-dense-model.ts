/**
 * What every model shares: F sparse tables of one row width, the dense parameters as
 * blocks of DENSE_TABLE, deterministic row initialisation, batch planning, the checks that
 * a batch, its plan and its pulled rows fit together, and the frame of step and predict
 * (load the dense parameters, run the model's math, scatter the dense gradient back into
 * the row layout). Subclasses supply the forward and backward math only.
 */
import { DENSE_TABLE, type BatchPlan, type ExampleBatch, type Model, type ModelKind, type StepResult, type TableSpec } from "../types.js";
import { BatchPlanner } from "./batch-planner.js";
import { sigmoid } from "./bce.js";
import { DenseLayout, type SegmentSpec } from "./dense-layout.js";
import { rowKey } from "./init-hash.js";
import { DEFAULT_DENSE_BLOCK, type ModelOptions } from "./model-options.js";

/** Base of the built-in models. @internal */
export abstract class SparseDenseModel implements Model {
  abstract readonly kind: ModelKind;
  readonly tables: readonly TableSpec[];
  /** Where the dense parameters sit in their flat vector. */
  readonly dense: DenseLayout;
  protected readonly fields: number;
  protected readonly denseDim: number;
  protected readonly sparseDim: number;
  /** The flat dense parameters of the current batch (loaded by step and predict; fp32 as pulled). */
  protected readonly denseParams: Float32Array;
  /** The flat dense gradient of the current batch: zeroed before backward, which adds into it. */
  protected readonly denseGrad: Float64Array;
  readonly #seed: number;
  readonly #planner: BatchPlanner;

  protected constructor(opts: ModelOptions, sparseDim: number, segments: readonly SegmentSpec[]) {
    this.fields = opts.fields;
    this.denseDim = opts.denseDim;
    this.sparseDim = sparseDim;
    this.#seed = opts.seed;
    this.dense = new DenseLayout(segments, opts.denseBlock ?? DEFAULT_DENSE_BLOCK, opts.seed);
    const tables: TableSpec[] = [];
    for (let f = 0; f < opts.fields; f++) tables.push({ table: f, dim: sparseDim });
    tables.push({ table: DENSE_TABLE, dim: this.dense.blockSize });
    this.tables = tables;
    this.denseParams = new Float32Array(this.dense.blocks * this.dense.blockSize);
    this.denseGrad = new Float64Array(this.dense.blocks * this.dense.blockSize);
    this.#planner = new BatchPlanner(opts.fields, sparseDim, this.dense.blocks, this.dense.blockSize);
  }

  dim(table: number): number {
    if (table === DENSE_TABLE) return this.dense.blockSize;
    if (Number.isInteger(table) && table >= 0 && table < this.fields) return this.sparseDim;
    throw new RangeError(`${this.kind} model has no table ${table}`);
  }

  initRow(table: number, id: number, out: Float32Array, off: number): void {
    if (table === DENSE_TABLE) {
      this.dense.initBlock(id, out, off);
      return;
    }
    this.dim(table);
    this.initSparseRow(rowKey(this.#seed, table, id), out, off);
  }

  plan(batch: ExampleBatch): BatchPlan {
    this.#checkBatch(batch);
    return this.#planner.plan(batch);
  }

  step(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): StepResult {
    this.#load(batch, plan, rows);
    const grads = new Float32Array(plan.totalFloats);
    if (batch.rows === 0) return { loss: 0, grads };
    this.denseGrad.fill(0);
    const loss = this.backward(batch, plan, rows, grads);
    this.dense.scatter(plan, this.denseGrad, grads);
    return { loss, grads };
  }

  predict(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float32Array {
    this.#load(batch, plan, rows);
    const logits = this.forward(batch, plan, rows);
    const out = new Float32Array(batch.rows);
    for (let b = 0; b < batch.rows; b++) out[b] = sigmoid(logits[b]!);
    return out;
  }

  /** Writes the initial sparse row whose init key is `key` at out[off..off+sparseDim). */
  protected abstract initSparseRow(key: number, out: Float32Array, off: number): void;

  /** The logit of every example (the first batch.rows entries), dense parameters loaded. */
  protected abstract forward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float32Array | Float64Array;

  /**
   * Forward and backward on a non-empty batch: returns the mean loss, adds each sparse
   * row's gradient into `grads` (row layout) and the dense gradient into denseGrad.
   */
  protected abstract backward(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array, grads: Float32Array): number;

  /** Throws unless batch, plan and rows fit this model and each other; then loads the dense parameters. */
  #load(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): void {
    this.#checkBatch(batch);
    if (plan.slot.length !== batch.rows * this.fields) {
      throw new RangeError(`plan is for ${plan.slot.length / this.fields} rows, batch has ${batch.rows}`);
    }
    if (rows.length < plan.totalFloats) {
      throw new RangeError(`rows hold ${rows.length} floats, plan needs ${plan.totalFloats}`);
    }
    this.dense.gather(plan, rows, this.denseParams);
  }

  #checkBatch(batch: ExampleBatch): void {
    if (batch.fields !== this.fields || batch.denseDim !== this.denseDim) {
      throw new RangeError(
        `batch has F=${batch.fields}, D=${batch.denseDim}; ${this.kind} model has F=${this.fields}, D=${this.denseDim}`,
      );
    }
  }
}
