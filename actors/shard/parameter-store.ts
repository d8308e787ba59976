/**
 * The parameters a shard holds: one RowTable per model table, each row its params
 * followed by its optimizer state. Rows are created on first touch with the model's
 * deterministic init, so any shard creates the same row for the same key. Gather copies
 * params out for a pull; apply runs the row-sparse optimizer for a push.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { partitionOf, ProtocolError, RejectReason, type CheckpointPart } from "../../protocols/index.js";
import { partFiles } from "../../train/index.js";
import type { TableRows } from "../../train/checkpoint/index.js";

export type { TableRows };
import type { Model, RowOptimizer } from "../../train/types.js";
import { RowTable } from "./row-table.js";

interface TableSlot {
  readonly rows: RowTable;
  readonly dim: number;
  readonly stateWidth: number;
}

export class ParameterStore {
  readonly #model: Model;
  readonly #optimizer: RowOptimizer;
  readonly #tables = new Map<number, TableSlot>();

  constructor(model: Model, optimizer: RowOptimizer) {
    this.#model = model;
    this.#optimizer = optimizer;
    for (const t of model.tables) {
      const stateWidth = optimizer.stateWidth(t.dim);
      this.#tables.set(t.table, { rows: new RowTable({ width: t.dim + stateWidth }), dim: t.dim, stateWidth });
    }
  }

  /** Rows held, over all tables. */
  get size(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.rows.size;
    return n;
  }

  /** Bytes allocated by all row tables. */
  byteLength(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.rows.byteLength();
    return n;
  }

  /** Floats the rows of these keys take, or a ProtocolError naming an unknown table. */
  floatsOf(tables: Uint32Array): number {
    let n = 0;
    for (let i = 0; i < tables.length; i++) n += this.#slot(tables[i]!).dim;
    return n;
  }

  /** Row width of a table, or a ProtocolError naming an unknown table. */
  dimOf(table: number): number {
    return this.#slot(table).dim;
  }

  #slot(table: number): TableSlot {
    const s = this.#tables.get(table);
    if (!s) throw new ProtocolError(RejectReason.InvalidField, `table ${table} is not a table of model ${this.#model.kind}`);
    return s;
  }

  #row(slot: TableSlot, table: number, id: number): { page: Float32Array; off: number } {
    const index = slot.rows.findOrInsert(table, id);
    const page = slot.rows.page(index);
    const off = slot.rows.offset(index);
    if (slot.rows.lastCreated) {
      this.#model.initRow(table, id, page, off);
      this.#optimizer.initState(page, off + slot.dim, slot.dim);
    }
    return { page, off };
  }

  /** Copies the params of each key (created on first touch) into a new buffer, in key order. */
  gather(tables: Uint32Array, ids: Uint32Array): Float32Array {
    const out = new Float32Array(this.floatsOf(tables));
    let o = 0;
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i]!;
      const slot = this.#slot(table);
      const { page, off } = this.#row(slot, table, ids[i]!);
      out.set(page.subarray(off, off + slot.dim), o);
      o += slot.dim;
    }
    return out;
  }

  /** Throws a ProtocolError unless `grads` holds exactly one row of gradient per key. */
  checkGradients(tables: Uint32Array, grads: Float32Array): void {
    const want = this.floatsOf(tables);
    if (grads.length !== want) {
      throw new ProtocolError(RejectReason.WrongShape, `grads has ${grads.length} floats; these ${tables.length} keys need ${want}`);
    }
  }

  /** Applies one gradient row per key with the optimizer. `grads` must hold exactly the keys' floats. */
  apply(tables: Uint32Array, ids: Uint32Array, grads: Float32Array): number {
    this.checkGradients(tables, grads);
    let g = 0;
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i]!;
      const slot = this.#slot(table);
      const { page, off } = this.#row(slot, table, ids[i]!);
      this.#optimizer.apply(page, off, page, off + slot.dim, grads, g, slot.dim);
      g += slot.dim;
    }
    return tables.length;
  }

  /**
   * Copies every row (params and optimizer state) out, synchronously: no push can land
   * half-way, so the copy is one consistent cut of this shard.
   */
  exportRows(): TableRows[] {
    const out: TableRows[] = [];
    for (const [table, slot] of this.#tables) {
      const n = slot.rows.size;
      const ids = new Uint32Array(n);
      const params = new Float32Array(n * slot.dim);
      const state = new Float32Array(n * slot.stateWidth);
      for (let i = 0; i < n; i++) {
        ids[i] = slot.rows.keyLo(i);
        const page = slot.rows.page(i);
        const off = slot.rows.offset(i);
        params.set(page.subarray(off, off + slot.dim), i * slot.dim);
        state.set(page.subarray(off + slot.dim, off + slot.dim + slot.stateWidth), i * slot.stateWidth);
      }
      out.push({ table, dim: slot.dim, stateWidth: slot.stateWidth, ids, params, state });
    }
    return out;
  }

  /**
   * Copies out the rows (params and optimizer state) of each of `wanted` (partitions of
   * `partitions`), in one pass over the rows.
   */
  exportPartitions(wanted: readonly number[], partitions: number): Map<number, TableRows[]> {
    const out = new Map<number, TableRows[]>(wanted.map((p) => [p, []]));
    if (wanted.length === 0) return out;
    for (const [table, slot] of this.#tables) {
      const picked = new Map<number, number[]>();
      for (let i = 0; i < slot.rows.size; i++) {
        const p = partitionOf(table, slot.rows.keyLo(i), partitions);
        if (out.has(p)) {
          let list = picked.get(p);
          if (!list) picked.set(p, (list = []));
          list.push(i);
        }
      }
      for (const [p, rows] of picked) out.get(p)!.push(this.#copyRows(table, slot, rows));
    }
    return out;
  }

  /** Drops every row whose key hashes into one of `drop` (of `partitions`); returns how many went. */
  dropPartitions(drop: ReadonlySet<number>, partitions: number): number {
    if (drop.size === 0) return 0;
    let dropped = 0;
    for (const [table, slot] of this.#tables) {
      const ids: number[] = [];
      for (let i = 0; i < slot.rows.size; i++) {
        const id = slot.rows.keyLo(i);
        if (drop.has(partitionOf(table, id, partitions))) ids.push(id);
      }
      for (const id of ids) if (slot.rows.delete(table, id)) dropped++;
    }
    return dropped;
  }

  /** Copies rows (by index) of one table. */
  #copyRows(table: number, slot: TableSlot, picked: readonly number[]): TableRows {
    const ids = new Uint32Array(picked.length);
    const params = new Float32Array(picked.length * slot.dim);
    const state = new Float32Array(picked.length * slot.stateWidth);
    picked.forEach((i, j) => {
      ids[j] = slot.rows.keyLo(i);
      const page = slot.rows.page(i);
      const off = slot.rows.offset(i);
      params.set(page.subarray(off, off + slot.dim), j * slot.dim);
      state.set(page.subarray(off + slot.dim, off + slot.dim + slot.stateWidth), j * slot.stateWidth);
    });
    return { table, dim: slot.dim, stateWidth: slot.stateWidth, ids, params, state };
  }

  /** Loads rows exported earlier (a snapshot), replacing any row with the same key. */
  importRows(rows: readonly TableRows[]): void {
    for (const t of rows) {
      const slot = this.#slot(t.table);
      if (slot.dim !== t.dim || slot.stateWidth !== t.stateWidth) {
        throw new RangeError(`table ${t.table}: saved rows have dim ${t.dim}+${t.stateWidth}, the model needs ${slot.dim}+${slot.stateWidth}`);
      }
      for (let i = 0; i < t.ids.length; i++) {
        const index = slot.rows.findOrInsert(t.table, t.ids[i]!);
        const page = slot.rows.page(index);
        const off = slot.rows.offset(index);
        page.set(t.params.subarray(i * t.dim, (i + 1) * t.dim), off);
        page.set(t.state.subarray(i * t.stateWidth, (i + 1) * t.stateWidth), off + t.dim);
      }
    }
  }

  /** Writes every row into `dir` as this shard's part of a checkpoint. */
  async writeCheckpoint(dir: string, shardId: string): Promise<CheckpointPart[]> {
    return writeRows(dir, shardId, this.exportRows());
  }
}


/** Rows imported between two yields to the event loop. */
const IMPORT_SLICE_ROWS = 32_768;

/**
 * Imports rows in slices, yielding between them: a large snapshot or checkpoint must not
 * hold up the heartbeats (a shard silent for the heartbeat timeout is killed as unresponsive).
 */
export async function importRowsYielding(store: ParameterStore, rows: readonly TableRows[]): Promise<void> {
  for (const t of rows) {
    for (let at = 0; at < t.ids.length; at += IMPORT_SLICE_ROWS) {
      const end = Math.min(t.ids.length, at + IMPORT_SLICE_ROWS);
      store.importRows([{
        ...t, ids: t.ids.subarray(at, end),
        params: t.params.subarray(at * t.dim, end * t.dim), state: t.state.subarray(at * t.stateWidth, end * t.stateWidth),
      }]);
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** Writes exported rows as checkpoint part files into `dir`. */
export async function writeRows(dir: string, shardId: string, rows: readonly TableRows[]): Promise<CheckpointPart[]> {
  await mkdir(dir, { recursive: true });
  const out: CheckpointPart[] = [];
  for (const t of rows) {
    const files = partFiles(t.table, shardId);
    await writeFile(join(dir, files.ids), new Uint8Array(t.ids.buffer));
    await writeFile(join(dir, files.params), new Uint8Array(t.params.buffer));
    await writeFile(join(dir, files.state), new Uint8Array(t.state.buffer));
    out.push({ table: t.table, dim: t.dim, stateWidth: t.stateWidth, rows: t.ids.length, ...files });
  }
  return out;
}
