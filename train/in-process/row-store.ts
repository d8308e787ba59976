/**
 * The parameters of one in-process training run that are keyed by (table, id): rows of
 * one width created lazily on first touch, as a parameter shard creates them, and the
 * optimizer state beside each. Rows live end to end in one Float32Array (row r at
 * r·dim) so the fused kernels (gather, adagradRows, …) work on them in place; an
 * open-addressing hash map from (table, id) to row number finds them. Each map slot
 * holds its key and its row side by side (16 bytes), so a lookup costs one cache miss,
 * not three. No NATS, no partitions: the single-process counterpart of a shard's RowTable.
 */

/** How a new row gets its values: the model's deterministic init, the optimizer's initial state. */
export interface RowInit {
  /** Writes row (table, id)'s initial parameters at out[off..off+dim). */
  params(table: number, id: number, out: Float32Array, off: number): void;
  /** Writes a new row's initial optimizer state at out[off..off+stateWidth). */
  state(out: Float32Array, off: number): void;
}

const INITIAL_ROWS = 1 << 14;
/** The map is grown when it would be more than half full, so probes stay short. */
const MAX_LOAD = 0.5;
/** Int32s per map slot: row + 1 (0: empty), table, id (as int32), padding to 16 bytes. */
const SLOT = 4;

/** Rows of `dim` floats keyed by (table, id), plus `stateWidth` floats of optimizer state each. @internal */
export class RowStore {
  readonly dim: number;
  readonly stateWidth: number;
  readonly #init: RowInit;
  /** Row r's parameters at params[r·dim .. (r+1)·dim); capacity rows, `size` in use. */
  #params: Float32Array;
  #state: Float32Array;
  #size = 0;
  /** The hash map, SLOT int32s per slot; mask + 1 slots. */
  #slots: Int32Array;
  #mask: number;
  // The key of each row, to rebuild the map when it grows.
  #rowTable: Uint32Array;
  #rowId: Uint32Array;

  constructor(dim: number, stateWidth: number, init: RowInit) {
    this.dim = dim;
    this.stateWidth = stateWidth;
    this.#init = init;
    this.#params = new Float32Array(INITIAL_ROWS * dim);
    this.#state = new Float32Array(INITIAL_ROWS * stateWidth);
    this.#rowTable = new Uint32Array(INITIAL_ROWS);
    this.#rowId = new Uint32Array(INITIAL_ROWS);
    this.#slots = new Int32Array(2 * INITIAL_ROWS * SLOT);
    this.#mask = 2 * INITIAL_ROWS - 1;
  }

  /** Rows created so far. */
  get size(): number {
    return this.#size;
  }

  /** Every row's parameters (row r at r·dim); replaced when the store grows, so read it after rowsOf. */
  get params(): Float32Array {
    return this.#params;
  }

  /** Every row's optimizer state (row r at r·stateWidth); replaced when the store grows. */
  get state(): Float32Array {
    return this.#state;
  }

  /**
   * Writes into out[i] the row number of key (tables[i], ids[i]) for i < count, creating
   * the rows that don't exist yet with their initial values. A row not yet created is
   * its initial value, so creating it on a lookup changes nothing a model computes.
   */
  rowsOf(tables: Uint32Array, ids: Uint32Array, count: number, out: Int32Array): void {
    if (count > out.length || count > tables.length || count > ids.length) {
      throw new RangeError(`rowsOf: ${count} keys but tables ${tables.length}, ids ${ids.length}, out ${out.length}`);
    }
    for (let i = 0; i < count; i++) {
      const table = tables[i]!;
      const id = ids[i]!;
      const key = id | 0;
      const slots = this.#slots;
      const mask = this.#mask;
      let h = hashKey(table, id) & mask;
      for (;;) {
        const at = h * SLOT;
        const rowPlusOne = slots[at]!;
        if (rowPlusOne === 0) {
          out[i] = this.#create(table, id, h);
          break;
        }
        if (slots[at + 2] === key && slots[at + 1] === (table | 0)) {
          out[i] = rowPlusOne - 1;
          break;
        }
        h = (h + 1) & mask;
      }
    }
  }

  /** Creates row (table, id) in free slot h; returns its number. */
  #create(table: number, id: number, h: number): number {
    if (this.#size + 1 > MAX_LOAD * (this.#mask + 1)) {
      this.#grow();
      // The map was rebuilt: find the key's free slot again.
      h = hashKey(table, id) & this.#mask;
      while (this.#slots[h * SLOT] !== 0) h = (h + 1) & this.#mask;
    }
    const row = this.#size++;
    this.#fill(this.#slots, h, row, table, id);
    this.#rowTable[row] = table;
    this.#rowId[row] = id;
    this.#init.params(table, id, this.#params, row * this.dim);
    this.#init.state(this.#state, row * this.stateWidth);
    return row;
  }

  /** Doubles the row capacity and the map, and re-inserts every key. */
  #grow(): void {
    const rows = this.#rowTable.length * 2;
    const params = new Float32Array(rows * this.dim);
    params.set(this.#params);
    this.#params = params;
    const state = new Float32Array(rows * this.stateWidth);
    state.set(this.#state);
    this.#state = state;
    const rowTable = new Uint32Array(rows);
    rowTable.set(this.#rowTable);
    this.#rowTable = rowTable;
    const rowId = new Uint32Array(rows);
    rowId.set(this.#rowId);
    this.#rowId = rowId;
    const mask = 2 * rows - 1;
    const slots = new Int32Array((mask + 1) * SLOT);
    for (let row = 0; row < this.#size; row++) {
      const table = rowTable[row]!;
      const id = rowId[row]!;
      let h = hashKey(table, id) & mask;
      while (slots[h * SLOT] !== 0) h = (h + 1) & mask;
      this.#fill(slots, h, row, table, id);
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  #fill(slots: Int32Array, h: number, row: number, table: number, id: number): void {
    const at = h * SLOT;
    slots[at] = row + 1;
    slots[at + 1] = table;
    slots[at + 2] = id | 0;
  }
}

/** A well-mixed 31-bit hash of (table, id): ids of one table are often small and dense. */
function hashKey(table: number, id: number): number {
  let h = Math.imul(id ^ Math.imul(table + 1, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x7fffffff;
}
