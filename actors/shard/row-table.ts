/**
 * The storage of one parameter shard: a hash map from a 64-bit key, given as two u32
 * halves (hi = table, lo = id), to a fixed-width row of float32s (the row's parameters
 * followed by its optimizer state). It owns memory layout, lookup and growth only;
 * what a row means (initial values, optimizer updates, snapshots) is the caller's.
 *
 * Layout. The index is open addressing with linear probing over parallel typed arrays
 * (`#slotHi`, `#slotLo`, `#slotRow`) of power-of-two capacity, kept at most 70% full.
 * Keys live in the slots so a probe never leaves them; `#slotRow` holds row index + 1,
 * so a freshly allocated (zeroed) array already means "all empty". Rows are numbered
 * densely 0..size-1 in insertion order and live in pages (plus a page of their keys, for
 * snapshots), allocated one at a time: growth rehashes only the slots (12 bytes each),
 * never copies a row, and never needs one allocation larger than a page or the slot
 * arrays. Pages start at 16 rows and double until they reach `pageRows`, then stay
 * there: a shard holds one table per model table, some of them tiny or very wide (the
 * dense blocks), and a full first page for each would cost far more than their rows.
 *
 * Stability. A row's index and its page never change across inserts: a caller may
 * keep `page(i)` and `offset(i)` until the next `delete()` or `clear()`.
 *
 * Deletion (a partition handed to another shard): backward-shift deletion in the slots
 * (no tombstones, so probe lengths stay short), then rows stay dense by moving the last
 * row into the hole and repointing that row's slot. That renumbers one row, which is why
 * indexes are stable only until a delete; pages are kept for the rows to come.
 */

/** Rows per full page unless configured. Power of two so index → page is a shift and a mask. */
const DEFAULT_PAGE_ROWS = 65_536;
/** Rows in the first page; later pages double up to pageRows. */
const FIRST_PAGE_ROWS = 16;
/** Slots per table unless configured; small so empty shards cost little. */
const MIN_CAPACITY = 16;
/** Grow when size would exceed this fraction of the slots: linear probing degrades fast above ~0.7. */
const MAX_LOAD = 0.7;
/** 2^30 slots (12 GiB of index) is past any shard we run; also keeps `size + 1` inside Int32. */
const MAX_CAPACITY = 2 ** 30;

export interface RowTableOptions {
  /** Float32s per row (parameters then optimizer state). Required, a positive integer. */
  readonly width: number;
  /** Rows the table should hold before its first resize. Default 0 (starts at 16 slots). */
  readonly initialCapacity?: number;
  /** Rows per full page, a power of two; the first pages are smaller. Default 65,536. */
  readonly pageRows?: number;
}

export class RowTable {
  readonly #width: number;
  readonly #pageRows: number;
  readonly #pageShift: number;
  readonly #pageMask: number;
  readonly #firstPageRows: number;
  readonly #firstPageShift: number;
  /** Number of doubling pages, which together hold rows 0..pageRows-1. */
  readonly #growingPages: number;
  readonly #initialSlots: number;

  #size = 0;
  #mask = 0;
  #growAt = 0;
  #slotHi: Uint32Array;
  #slotLo: Uint32Array;
  #slotRow: Int32Array;
  #rowPages: Float32Array[] = [];
  /** Per page, interleaved (hi, lo) of each row, so a snapshot can walk rows in index order. */
  #keyPages: Uint32Array[] = [];
  /** Index of the first row the allocated pages can't hold. */
  #rowCapacity = 0;
  #lastCreated = false;

  /** Creates an empty table; allocates the slot arrays but no row page yet. */
  constructor(opts: RowTableOptions) {
    const { width, initialCapacity = 0, pageRows = DEFAULT_PAGE_ROWS } = opts;
    if (!Number.isInteger(width) || width < 1) {
      throw new RangeError(`RowTable width must be a positive integer, got ${width}`);
    }
    if (!Number.isInteger(pageRows) || pageRows < 1 || pageRows > 2 ** 30 || (pageRows & (pageRows - 1)) !== 0) {
      throw new RangeError(`RowTable pageRows must be a power of two, got ${pageRows}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(`RowTable initialCapacity must be a non-negative integer, got ${initialCapacity}`);
    }
    this.#width = width;
    this.#pageRows = pageRows;
    this.#pageShift = Math.log2(pageRows);
    this.#pageMask = pageRows - 1;
    this.#firstPageRows = Math.min(FIRST_PAGE_ROWS, pageRows);
    this.#firstPageShift = Math.log2(this.#firstPageRows);
    this.#growingPages = this.#pageShift - this.#firstPageShift + 1;
    this.#initialSlots = slotsFor(initialCapacity);
    this.#slotHi = new Uint32Array(this.#initialSlots);
    this.#slotLo = new Uint32Array(this.#initialSlots);
    this.#slotRow = new Int32Array(this.#initialSlots);
    this.#setCapacity(this.#initialSlots);
  }

  /** Number of rows; row indexes are exactly 0..size-1. */
  get size(): number {
    return this.#size;
  }

  /** Float32s per row. */
  get width(): number {
    return this.#width;
  }

  /** Number of hash slots (a power of two); for metrics and load-factor checks. */
  get capacity(): number {
    return this.#mask + 1;
  }

  /** Whether the latest `findOrInsert` created its row (true) or found it (false). */
  get lastCreated(): boolean {
    return this.#lastCreated;
  }

  /** Index of the row for key (hi, lo), or -1. Halves are taken modulo 2^32. Allocation-free. */
  find(hi: number, lo: number): number {
    const s = this.#slotOf(hi >>> 0, lo >>> 0);
    return s < 0 ? -1 : this.#slotRow[s]! - 1;
  }

  /** Slot holding key (hi, lo) (halves already unsigned), or -1 when absent. */
  #slotOf(hi: number, lo: number): number {
    const mask = this.#mask;
    const slotHi = this.#slotHi;
    const slotLo = this.#slotLo;
    const slotRow = this.#slotRow;
    // Slots are always masked into range, so the `!` reads below cannot be undefined.
    for (let s = slotHash(hi, lo) & mask; ; s = (s + 1) & mask) {
      if (slotRow[s] === 0) return -1;
      if (slotLo[s] === lo && slotHi[s] === hi) return s;
    }
  }

  /**
   * Index of the row for key (hi, lo), creating it (zero-filled, at index `size`) if
   * absent; `lastCreated` then says which happened, so the caller can initialize new
   * rows. Allocation-free except when it opens a new page or grows the slots.
   */
  findOrInsert(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const mask = this.#mask;
    const slotHi = this.#slotHi;
    const slotLo = this.#slotLo;
    const slotRow = this.#slotRow;
    let s = slotHash(hi, lo) & mask;
    for (; ; s = (s + 1) & mask) {
      const row = slotRow[s]!;
      if (row === 0) break;
      if (slotLo[s] === lo && slotHi[s] === hi) {
        this.#lastCreated = false;
        return row - 1;
      }
    }
    if (this.#size >= this.#growAt) {
      this.#grow();
      s = this.#emptySlot(slotHash(hi, lo));
    }
    const index = this.#size;
    if (index === this.#rowCapacity) this.#openPage();
    const keys = this.#keyPages[this.#pageOf(index)]!;
    const inPage = this.#rowInPage(index);
    keys[2 * inPage] = hi;
    keys[2 * inPage + 1] = lo;
    this.#slotHi[s] = hi;
    this.#slotLo[s] = lo;
    this.#slotRow[s] = index + 1;
    this.#size = index + 1;
    this.#lastCreated = true;
    return index;
  }

  /** Removes the row of key (hi, lo); false when there is none. The last row takes its index. */
  delete(hi: number, lo: number): boolean {
    let hole = this.#slotOf(hi >>> 0, lo >>> 0);
    if (hole < 0) return false;
    const mask = this.#mask;
    const slotHi = this.#slotHi;
    const slotLo = this.#slotLo;
    const slotRow = this.#slotRow;
    const index = slotRow[hole]! - 1;
    // Backward shift: pull each later entry of the probe run into the hole unless its
    // home slot lies cyclically in (hole, j], where moving it would make it unfindable.
    for (let j = (hole + 1) & mask; slotRow[j] !== 0; j = (j + 1) & mask) {
      const home = slotHash(slotHi[j]!, slotLo[j]!) & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      slotHi[hole] = slotHi[j]!;
      slotLo[hole] = slotLo[j]!;
      slotRow[hole] = slotRow[j]!;
      hole = j;
    }
    slotRow[hole] = 0;
    slotHi[hole] = 0;
    slotLo[hole] = 0;
    const last = this.#size - 1;
    if (index !== last) {
      const lastHi = this.keyHi(last);
      const lastLo = this.keyLo(last);
      const from = this.page(last);
      const fromOff = this.offset(last);
      this.page(index).set(from.subarray(fromOff, fromOff + this.#width), this.offset(index));
      const keys = this.#keyPages[this.#pageOf(index)]!;
      const inPage = this.#rowInPage(index);
      keys[2 * inPage] = lastHi;
      keys[2 * inPage + 1] = lastLo;
      slotRow[this.#slotOf(lastHi, lastLo)] = index + 1;
    }
    // The freed row must read as zeros when reused: findOrInsert promises zero-filled rows.
    const freed = this.#rowPages[this.#pageOf(last)]!;
    const freedOff = this.#rowInPage(last) * this.#width;
    freed.fill(0, freedOff, freedOff + this.#width);
    this.#size = last;
    return true;
  }

  /** The page holding row `index`; the row is `page.subarray(offset(index), offset(index) + width)`. */
  page(index: number): Float32Array {
    this.#checkIndex(index);
    return this.#rowPages[this.#pageOf(index)]!;
  }

  /** Position of row `index`'s first float within `page(index)`. */
  offset(index: number): number {
    this.#checkIndex(index);
    return this.#rowInPage(index) * this.#width;
  }

  /** High half (table) of row `index`'s key. */
  keyHi(index: number): number {
    this.#checkIndex(index);
    return this.#keyPages[this.#pageOf(index)]![2 * this.#rowInPage(index)]!;
  }

  /** Low half (id) of row `index`'s key. */
  keyLo(index: number): number {
    this.#checkIndex(index);
    return this.#keyPages[this.#pageOf(index)]![2 * this.#rowInPage(index) + 1]!;
  }

  /** Bytes held by the table's typed arrays: slots, row pages and key pages. */
  byteLength(): number {
    let bytes = this.#slotHi.byteLength + this.#slotLo.byteLength + this.#slotRow.byteLength;
    for (const page of this.#rowPages) bytes += page.byteLength;
    for (const page of this.#keyPages) bytes += page.byteLength;
    return bytes;
  }

  /** Drops every row and releases the pages; the table returns to its constructed state. */
  clear(): void {
    this.#size = 0;
    this.#rowPages = [];
    this.#keyPages = [];
    this.#rowCapacity = 0;
    this.#slotHi = new Uint32Array(this.#initialSlots);
    this.#slotLo = new Uint32Array(this.#initialSlots);
    this.#slotRow = new Int32Array(this.#initialSlots);
    this.#setCapacity(this.#initialSlots);
    this.#lastCreated = false;
  }

  #setCapacity(slots: number): void {
    this.#mask = slots - 1;
    this.#growAt = Math.floor(slots * MAX_LOAD);
  }

  /**
   * Page of row `index`. With F = firstPageRows, page 0 holds rows [0, F) and each
   * growing page k ≥ 1 holds [2^(k-1)·F, 2^k·F), so below pageRows the page follows from
   * the index's highest bit; from pageRows on, pages are uniform.
   */
  #pageOf(index: number): number {
    if (index >= this.#pageRows) return this.#growingPages - 1 + (index >>> this.#pageShift);
    if (index < this.#firstPageRows) return 0;
    return 32 - Math.clz32(index) - this.#firstPageShift;
  }

  /** Position of row `index` among its page's rows. */
  #rowInPage(index: number): number {
    if (index >= this.#pageRows) return index & this.#pageMask;
    if (index < this.#firstPageRows) return index;
    return index ^ (1 << (31 - Math.clz32(index)));
  }

  #openPage(): void {
    const rows = this.#rowCapacity === 0 ? this.#firstPageRows : Math.min(this.#rowCapacity, this.#pageRows);
    // Fresh ArrayBuffers are zeroed, which is what makes new rows zero-filled for free.
    this.#rowPages.push(new Float32Array(rows * this.#width));
    this.#keyPages.push(new Uint32Array(rows * 2));
    this.#rowCapacity += rows;
  }

  /** First empty slot on the probe path of `hash`; only for keys known to be absent. */
  #emptySlot(hash: number): number {
    const mask = this.#mask;
    const slotRow = this.#slotRow;
    let s = hash & mask;
    while (slotRow[s] !== 0) s = (s + 1) & mask;
    return s;
  }

  #grow(): void {
    const slots = (this.#mask + 1) * 2;
    if (slots > MAX_CAPACITY) {
      throw new RangeError(`RowTable is full: ${this.#size} rows would need more than ${MAX_CAPACITY} slots`);
    }
    const oldHi = this.#slotHi;
    const oldLo = this.#slotLo;
    const oldRow = this.#slotRow;
    this.#slotHi = new Uint32Array(slots);
    this.#slotLo = new Uint32Array(slots);
    this.#slotRow = new Int32Array(slots);
    this.#setCapacity(slots);
    // Walking the old slots in order means each key lands at (almost) s or s + old capacity
    // in the new ones: two sequential write streams instead of one random write per row.
    const slotHi = this.#slotHi;
    const slotLo = this.#slotLo;
    const slotRow = this.#slotRow;
    for (let old = 0; old < oldRow.length; old++) {
      const row = oldRow[old]!;
      if (row === 0) continue;
      const hi = oldHi[old]!;
      const lo = oldLo[old]!;
      const s = this.#emptySlot(slotHash(hi, lo));
      slotHi[s] = hi;
      slotLo[s] = lo;
      slotRow[s] = row;
    }
  }

  #checkIndex(index: number): void {
    if (!(index >= 0 && index < this.#size && Number.isInteger(index))) {
      throw new RangeError(`RowTable has no row ${index} (size ${this.#size})`);
    }
  }
}

/** Power-of-two slot count that holds `rows` under MAX_LOAD. */
function slotsFor(rows: number): number {
  let slots = MIN_CAPACITY;
  while (Math.floor(slots * MAX_LOAD) < rows) {
    if (slots >= MAX_CAPACITY) throw new RangeError(`RowTable initialCapacity ${rows} is too large`);
    slots *= 2;
  }
  return slots;
}

/**
 * 64 → 32-bit hash of (hi, lo). Each half is avalanched on its own first, so structure in
 * one (small table numbers, sequential ids) can't line up with structure in the other,
 * then the combination is avalanched again so the low bits used as the slot depend on
 * all 64 input bits. For a fixed hi it is a bijection of lo: ids within one table never
 * share a full hash.
 */
function slotHash(hi: number, lo: number): number {
  return mix32(mix32(lo) ^ mix32(hi ^ 0x9e3779b9));
}

/** Chris Wellons' lowbias32: a bijective 32-bit finalizer with near-ideal avalanche. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
