/**
 * Turns a batch into a BatchPlan: the distinct (field, id) keys it touches, every dense
 * block, and where each key's row sits in the flat row buffer. Keys are deduplicated per
 * field with an open-addressing table stamped by generation, so nothing is cleared
 * between fields or batches. Layout: sparse keys field by field in order of first use,
 * then the dense blocks in block order.
 */
import { DENSE_TABLE, type BatchPlan, type ExampleBatch } from "../types.js";

/** Builds plans for one model; owns its scratch, so one planner per model. @internal */
export class BatchPlanner {
  readonly #fields: number;
  readonly #sparseDim: number;
  readonly #denseBlocks: number;
  readonly #blockSize: number;
  #capacityBits = 0;
  #hashIds = new Uint32Array(0);
  #hashSlots = new Int32Array(0);
  #hashStamps = new Uint32Array(0);
  #generation = 0;
  #keyIds = new Uint32Array(0);
  #keyTables = new Uint32Array(0);

  constructor(fields: number, sparseDim: number, denseBlocks: number, blockSize: number) {
    this.#fields = fields;
    this.#sparseDim = sparseDim;
    this.#denseBlocks = denseBlocks;
    this.#blockSize = blockSize;
  }

  plan(batch: ExampleBatch): BatchPlan {
    const F = this.#fields;
    const B = batch.rows;
    this.#reserve(B);
    const ids = batch.ids;
    const slot = new Int32Array(B * F);
    const keyIds = this.#keyIds;
    const keyTables = this.#keyTables;
    const hashIds = this.#hashIds;
    const hashSlots = this.#hashSlots;
    const stamps = this.#hashStamps;
    const shift = 32 - this.#capacityBits;
    const mask = (1 << this.#capacityBits) - 1;
    let keys = 0;
    for (let f = 0; f < F; f++) {
      const generation = this.#nextGeneration();
      for (let b = 0, i = f; b < B; b++, i += F) {
        const id = ids[i]!;
        let h = Math.imul(id ^ (id >>> 15), 0x9e3779b1) >>> shift;
        for (;;) {
          if (stamps[h] !== generation) {
            stamps[h] = generation;
            hashIds[h] = id;
            hashSlots[h] = keys;
            keyIds[keys] = id;
            keyTables[keys] = f;
            slot[i] = keys++;
            break;
          }
          if (hashIds[h] === id) {
            slot[i] = hashSlots[h]!;
            break;
          }
          h = (h + 1) & mask;
        }
      }
    }
    const sparseKeys = keys;
    const total = sparseKeys + this.#denseBlocks;
    const tables = new Uint32Array(total);
    const outIds = new Uint32Array(total);
    tables.set(keyTables.subarray(0, sparseKeys));
    outIds.set(keyIds.subarray(0, sparseKeys));
    const rowOffset = new Int32Array(total);
    const denseSlots = new Int32Array(this.#denseBlocks);
    const dim = this.#sparseDim;
    for (let k = 0; k < sparseKeys; k++) rowOffset[k] = k * dim;
    const denseStart = sparseKeys * dim;
    for (let j = 0; j < this.#denseBlocks; j++) {
      const k = sparseKeys + j;
      tables[k] = DENSE_TABLE;
      outIds[k] = j;
      rowOffset[k] = denseStart + j * this.#blockSize;
      denseSlots[j] = k;
    }
    const totalFloats = denseStart + this.#denseBlocks * this.#blockSize;
    if (totalFloats > 2 ** 31 - 1) throw new RangeError(`plan of ${totalFloats} floats exceeds Int32 offsets`);
    return { keys: { tables, ids: outIds }, rowOffset, slot, denseSlots, totalFloats };
  }

  #reserve(rows: number): void {
    const F = this.#fields;
    if (this.#keyIds.length < rows * F) {
      this.#keyIds = new Uint32Array(rows * F);
      this.#keyTables = new Uint32Array(rows * F);
    }
    let bits = 4;
    while (1 << bits < 2 * rows) bits++;
    if (bits > this.#capacityBits) {
      this.#capacityBits = bits;
      this.#hashIds = new Uint32Array(1 << bits);
      this.#hashSlots = new Int32Array(1 << bits);
      this.#hashStamps = new Uint32Array(1 << bits);
      this.#generation = 0;
    }
  }

  #nextGeneration(): number {
    this.#generation = (this.#generation + 1) >>> 0;
    if (this.#generation === 0) {
      // Wrapped after 2^32 fields: forget every stamp once.
      this.#hashStamps.fill(0);
      this.#generation = 1;
    }
    return this.#generation;
  }
}
