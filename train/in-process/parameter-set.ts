/**
 * Every parameter of an in-process run: the sparse rows in a RowStore, the dense blocks
 * (rows of DENSE_TABLE) in one flat vector, each with its optimizer state, and the scratch
 * a batch's rows are gathered into. Moves rows between them and the model's plan layout
 * (sparse key j at j·dim, then the dense blocks in order) and applies the fused updates.
 */
import type { Kernels } from "../../gpu/index.js";
import { createOptimizer, type OptimizerConfig } from "../optimizers/index.js";
import { DENSE_TABLE, type BatchPlan, type ExampleBatch, type Model } from "../types.js";
import { fusedRowUpdate, type RowUpdate } from "./fused-row-update.js";
import { RowStore } from "./row-store.js";

/** The parameters of one in-process run and the moves between them and a plan. @internal */
export class ParameterSet {
  readonly #model: Model;
  readonly #kernels: Kernels;
  readonly #update: RowUpdate;
  readonly #sparse: RowStore;
  readonly #sparseDim: number;
  readonly #blockSize: number;
  readonly #dense: Float32Array;
  readonly #denseState: Float32Array;
  /** 0, 1, …, blocks − 1: the dense blocks are updated as rows of their own table. */
  readonly #denseRows: Int32Array;
  #rowNumbers = new Int32Array(0);
  #rows = new Float32Array(0);

  /** `empty`: a batch of no examples of the data's shape, whose plan tells how many dense blocks every plan has. */
  constructor(model: Model, cfg: OptimizerConfig, kernels: Kernels, empty: ExampleBatch) {
    this.#model = model;
    this.#kernels = kernels;
    this.#update = fusedRowUpdate(kernels, cfg);
    const optimizer = createOptimizer(cfg);
    const sparseTable = model.tables.find((t) => t.table !== DENSE_TABLE);
    const denseTable = model.tables.find((t) => t.table === DENSE_TABLE);
    if (sparseTable === undefined || denseTable === undefined) throw new RangeError(`${model.kind} has no sparse or no dense table`);
    const dim = sparseTable.dim;
    if (model.tables.some((t) => t.table !== DENSE_TABLE && t.dim !== dim)) throw new RangeError("sparse tables of different widths");
    this.#sparseDim = dim;
    const width = optimizer.stateWidth(dim);
    this.#sparse = new RowStore(dim, width, {
      params: (table, id, out, off) => model.initRow(table, id, out, off),
      state: (out, off) => optimizer.initState(out, off, dim),
    });
    const bs = denseTable.dim;
    this.#blockSize = bs;
    const blocks = model.plan(empty).denseSlots.length;
    this.#dense = new Float32Array(blocks * bs);
    const denseWidth = optimizer.stateWidth(bs);
    this.#denseState = new Float32Array(blocks * denseWidth);
    this.#denseRows = new Int32Array(blocks);
    for (let j = 0; j < blocks; j++) {
      model.initRow(DENSE_TABLE, j, this.#dense, j * bs);
      optimizer.initState(this.#denseState, j * denseWidth, bs);
      this.#denseRows[j] = j;
    }
  }

  get sparseRows(): number {
    return this.#sparse.size;
  }

  /** Row numbers of the plan's sparse keys (created when new); a view valid until the next lookup. */
  lookup(plan: BatchPlan): Int32Array {
    const count = plan.keys.ids.length - plan.denseSlots.length;
    if (this.#rowNumbers.length < count) this.#rowNumbers = new Int32Array(Math.max(count, 2 * this.#rowNumbers.length));
    this.#sparse.rowsOf(plan.keys.tables, plan.keys.ids, count, this.#rowNumbers);
    return this.#rowNumbers.subarray(0, count);
  }

  /** The plan's rows in its layout: sparse rows gathered, dense blocks copied. A view valid until the next gather. */
  gather(plan: BatchPlan, sparse: Int32Array): Float32Array {
    if (this.#rows.length < plan.totalFloats) this.#rows = new Float32Array(Math.max(plan.totalFloats, Math.ceil(this.#rows.length * 1.5)));
    const rows = this.#rows;
    this.#checkLayout(plan, sparse.length);
    this.#kernels.gather(this.#sparse.params, this.#sparseDim, sparse, { data: rows });
    rows.set(this.#dense, sparse.length * this.#sparseDim);
    return rows;
  }

  /** Applies a step's gradients (plan layout) to the sparse rows and the dense blocks. */
  update(plan: BatchPlan, sparse: Int32Array, grads: Float32Array): void {
    const denseStart = sparse.length * this.#sparseDim;
    this.#update(this.#sparse.params, this.#sparse.state, this.#sparseDim, sparse, grads.subarray(0, denseStart));
    this.#update(this.#dense, this.#denseState, this.#blockSize, this.#denseRows, grads.subarray(denseStart, plan.totalFloats));
  }

  /** Click probabilities of a batch with the current parameters. */
  predict(batch: ExampleBatch): Float32Array {
    const plan = this.#model.plan(batch);
    const sparse = this.lookup(plan);
    return this.#model.predict(batch, plan, this.gather(plan, sparse));
  }

  /** The flat layout gather and update rely on: sparse key j at j·dim, then the dense blocks in order. */
  #checkLayout(plan: BatchPlan, sparseKeys: number): void {
    const dim = this.#sparseDim;
    const slots = plan.denseSlots;
    if (slots.length !== this.#denseRows.length) throw new RangeError(`plan has ${slots.length} dense blocks, expected ${this.#denseRows.length}`);
    for (let j = 0; j < slots.length; j++) {
      const expected = sparseKeys * dim + j * this.#blockSize;
      if (slots[j] !== sparseKeys + j || plan.rowOffset[slots[j]!] !== expected) {
        throw new RangeError(`plan puts dense block ${j} at ${plan.rowOffset[slots[j]!]}, not ${expected}`);
      }
    }
    if (plan.totalFloats !== sparseKeys * dim + slots.length * this.#blockSize) throw new RangeError("plan has padding between rows");
  }
}
