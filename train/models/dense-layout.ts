/**
 * How a model's dense parameters (MLP weights and biases, dense linear weights, global
 * bias) sit in one flat vector, and how that vector is cut into blocks: the rows of
 * DENSE_TABLE, id = block index, the last block zero-padded. Weight matrices are stored
 * [out][in], row-major, as PyTorch stores them.
 * Element i of the flat vector is initialised from (seed, DENSE_TABLE, 0, i), so the
 * initial model does not depend on the block size.
 */
import { DENSE_TABLE, type BatchPlan } from "../types.js";
import { rowKey, uniformAt } from "./init-hash.js";

/** One named tensor of the flat dense vector. */
export interface DenseSegment {
  readonly name: string;
  /** First float of the segment in the flat vector. */
  readonly offset: number;
  /** [out, in] for a weight matrix, [n] for a vector. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Initial values are uniform(-bound, bound); 0 means zeros. */
  readonly bound: number;
}

/** A segment before placement: name, shape and init bound. */
export interface SegmentSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly bound: number;
}

/** The flat dense vector of one model and its blocks. @internal */
export class DenseLayout {
  readonly segments: readonly DenseSegment[];
  /** Floats of real parameters (padding excluded). */
  readonly size: number;
  readonly blockSize: number;
  readonly blocks: number;
  readonly #key: number;

  constructor(specs: readonly SegmentSpec[], blockSize: number, seed: number) {
    let offset = 0;
    this.segments = specs.map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const segment = { name: s.name, offset, shape: s.shape, size, bound: s.bound };
      offset += size;
      return segment;
    });
    this.size = offset;
    this.blockSize = blockSize;
    this.blocks = Math.max(1, Math.ceil(offset / blockSize));
    this.#key = rowKey(seed, DENSE_TABLE, 0);
  }

  /** The segment with this name; throws if there is none. */
  segment(name: string): DenseSegment {
    const s = this.segments.find((x) => x.name === name);
    if (s === undefined) throw new RangeError(`no dense segment "${name}"`);
    return s;
  }

  /** Writes block `block`'s initial values (its slice of the flat vector, padding 0) at out[off..]. */
  initBlock(block: number, out: Float32Array, off: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blocks) {
      throw new RangeError(`dense block ${block} out of range [0, ${this.blocks})`);
    }
    const first = block * this.blockSize;
    const last = first + this.blockSize;
    out.fill(0, off, off + this.blockSize);
    for (const s of this.segments) {
      if (s.bound === 0) continue;
      const from = Math.max(first, s.offset);
      const to = Math.min(last, s.offset + s.size);
      for (let i = from; i < to; i++) out[off + i - first] = uniformAt(this.#key, i, s.bound);
    }
  }

  /** Copies the plan's dense blocks out of the pulled rows into a flat vector. */
  gather(plan: BatchPlan, rows: Float32Array, flat: Float32Array): void {
    const slots = plan.denseSlots;
    if (slots.length !== this.blocks) {
      throw new RangeError(`plan has ${slots.length} dense blocks, model has ${this.blocks}`);
    }
    const bs = this.blockSize;
    for (let j = 0; j < this.blocks; j++) {
      const src = plan.rowOffset[slots[j]!]!;
      const n = Math.min(bs, this.size - j * bs);
      flat.set(rows.subarray(src, src + n), j * bs);
    }
  }

  /** Adds a flat gradient into the plan's dense blocks of `grads` (padding untouched). */
  scatter(plan: BatchPlan, flat: Float64Array, grads: Float32Array): void {
    const bs = this.blockSize;
    for (let j = 0; j < this.blocks; j++) {
      const dst = plan.rowOffset[plan.denseSlots[j]!]!;
      const n = Math.min(bs, this.size - j * bs);
      const src = j * bs;
      for (let i = 0; i < n; i++) grads[dst + i] = grads[dst + i]! + flat[src + i]!;
    }
  }
}
