/**
 * Fills one ExampleBatch row by row. A line parser writes a row in place at `count`
 * and the reader commits it only when the whole line parsed, so a malformed line
 * leaves no trace. Every batch handed out owns fresh arrays: consumers may keep it.
 */
import type { ExampleBatch } from "../types.js";

/** Accumulates parsed rows into columnar arrays of a fixed capacity. @internal */
export class BatchBuilder {
  ids: Uint32Array;
  dense: Float32Array;
  labels: Float32Array;
  /** Rows committed so far; also the row a parser writes next. */
  count = 0;

  constructor(
    readonly fields: number,
    readonly denseDim: number,
    readonly capacity: number,
  ) {
    this.ids = new Uint32Array(capacity * fields);
    this.dense = new Float32Array(capacity * denseDim);
    this.labels = new Float32Array(capacity);
  }

  /** Keeps the row just written; true when the batch is now full. */
  commit(): boolean {
    this.count++;
    return this.count === this.capacity;
  }

  /** Hands out the committed rows as a batch and starts a new one. */
  take(): ExampleBatch {
    const rows = this.count;
    const full = rows === this.capacity;
    const batch: ExampleBatch = {
      rows,
      fields: this.fields,
      denseDim: this.denseDim,
      ids: full ? this.ids : this.ids.slice(0, rows * this.fields),
      dense: full ? this.dense : this.dense.slice(0, rows * this.denseDim),
      labels: full ? this.labels : this.labels.slice(0, rows),
    };
    if (full) {
      this.ids = new Uint32Array(this.capacity * this.fields);
      this.dense = new Float32Array(this.capacity * this.denseDim);
      this.labels = new Float32Array(this.capacity);
    }
    this.count = 0;
    return batch;
  }
}
