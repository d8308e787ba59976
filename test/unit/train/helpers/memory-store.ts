/**
 * A parameter server in one process, for tests: rows live in per-table Maps (id → slot)
 * over growable Float32 pools, are created on first pull from model.initRow, and are
 * updated on push by a RowOptimizer. Also the plain training and evaluation loops built on
 * it (plan → pull → step → push), which is what a worker does minus the messaging.
 */
import type { ExampleBatch, Model, RowOptimizer } from "../../../../train/index.js";
import { BinaryMetrics, type BinaryReport, type BatchPlan } from "../../../../train/index.js";

class Table {
  readonly slots = new Map<number, number>();
  params: Float32Array;
  state: Float32Array;

  constructor(
    readonly dim: number,
    readonly stateWidth: number,
  ) {
    this.params = new Float32Array(dim * 64);
    this.state = new Float32Array(stateWidth * 64);
  }

  grow(): void {
    const params = new Float32Array(this.params.length * 2);
    params.set(this.params);
    this.params = params;
    const state = new Float32Array(Math.max(1, this.state.length * 2));
    state.set(this.state);
    this.state = state;
  }
}

export class MemoryStore {
  readonly #tables = new Map<number, Table>();

  constructor(
    readonly model: Model,
    readonly optimizer: RowOptimizer,
  ) {
    for (const t of model.tables) this.#tables.set(t.table, new Table(t.dim, optimizer.stateWidth(t.dim)));
  }

  /** Rows stored so far, all tables together. */
  get size(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.slots.size;
    return n;
  }

  /** The plan's rows; unseen rows are created (create) or only initialised in the copy (!create). */
  pull(plan: BatchPlan, create: boolean): Float32Array {
    const rows = new Float32Array(plan.totalFloats);
    const { tables, ids } = plan.keys;
    for (let k = 0; k < ids.length; k++) {
      const table = this.#table(tables[k]!);
      const slot = create ? this.#slot(table, tables[k]!, ids[k]!) : table.slots.get(ids[k]!);
      const off = plan.rowOffset[k]!;
      if (slot === undefined) this.model.initRow(tables[k]!, ids[k]!, rows, off);
      else rows.set(table.params.subarray(slot * table.dim, (slot + 1) * table.dim), off);
    }
    return rows;
  }

  /** Applies one gradient per row of the plan. */
  push(plan: BatchPlan, grads: Float32Array): void {
    const { tables, ids } = plan.keys;
    for (let k = 0; k < ids.length; k++) {
      const table = this.#table(tables[k]!);
      const slot = this.#slot(table, tables[k]!, ids[k]!);
      this.optimizer.apply(
        table.params, slot * table.dim,
        table.state, slot * table.stateWidth,
        grads, plan.rowOffset[k]!, table.dim,
      );
    }
  }

  #table(id: number): Table {
    const t = this.#tables.get(id);
    if (t === undefined) throw new Error(`no table ${id}`);
    return t;
  }

  #slot(table: Table, tableId: number, id: number): number {
    let slot = table.slots.get(id);
    if (slot === undefined) {
      slot = table.slots.size;
      while ((slot + 1) * table.dim > table.params.length) table.grow();
      table.slots.set(id, slot);
      this.model.initRow(tableId, id, table.params, slot * table.dim);
      this.optimizer.initState(table.state, slot * table.stateWidth, table.dim);
    }
    return slot;
  }
}

/** One pass of plan → pull → step → push over the batches; returns the mean loss per batch. */
export async function trainPass(store: MemoryStore, batches: AsyncIterable<ExampleBatch>): Promise<number[]> {
  const losses: number[] = [];
  for await (const batch of batches) {
    const plan = store.model.plan(batch);
    const { loss, grads } = store.model.step(batch, plan, store.pull(plan, true));
    store.push(plan, grads);
    losses.push(loss);
  }
  return losses;
}

/** Predicts every batch without changing the store and scores the predictions. */
export async function evaluate(store: MemoryStore, batches: AsyncIterable<ExampleBatch>): Promise<BinaryReport> {
  const metrics = new BinaryMetrics();
  for await (const batch of batches) {
    const plan = store.model.plan(batch);
    metrics.push(batch.labels, store.model.predict(batch, plan, store.pull(plan, false)));
  }
  return metrics.compute();
}
