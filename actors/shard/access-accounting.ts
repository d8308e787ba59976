/**
 * A shard's access accounting: every pull it serves and every push it applies is
 * counted per partition (rows and bytes, as decayed rates) and its keys are offered to
 * the hot-key sketch; `report` turns both into the `ps.load` message the shard publishes.
 * Counting is per request: keys are tallied per partition in scratch arrays first, so
 * the rates take one update per touched partition. The sketch sees one key in
 * `sketchSampleEvery` (a stride whose offset rotates per request, each offer weighted by
 * the stride, so every key's expected count is exact): offering every key cost ~0.4 µs
 * a key here, as much as serving it; a hot key is in nearly every request, so sampling
 * costs it little accuracy.
 */
import { partitionOf, type LoadReport } from "../../protocols/index.js";
import { AccessRates, DEFAULT_HALF_LIFE_MS, type RateClock } from "./access-rates.js";
import { HotKeySketch } from "./hot-key-sketch.js";

/** Hot keys a report carries by default. */
export const REPORTED_HOT_KEYS = 16;

/**
 * Keys the sketch monitors by default. Workers de-duplicate keys per batch, so no key is
 * pulled more than once per request and the hottest keys share one plateau rate (about
 * the shard's request rate): hundreds of them per shard on Zipf(1.3). Space-Saving's
 * error is total/capacity; at 256 slots it exceeded that plateau (25 k rows/s on a shard,
 * 42 requests/s), so its "top keys" were noise. 2048 slots bring the error well below.
 */
export const DEFAULT_SKETCH_CAPACITY = 2048;

export class AccessAccounting {
  readonly #partitions: number;
  readonly #rates: AccessRates;
  readonly #sketch: HotKeySketch;
  readonly #clock: RateClock;
  readonly #rows: Float64Array;
  readonly #bytes: Float64Array;
  readonly #touched: number[] = [];
  readonly #sampleEvery: number;
  #sampleOffset = 0;

  constructor(opts: { partitions: number; halfLifeMs?: number; sketchCapacity?: number; sketchSampleEvery?: number; clock?: RateClock }) {
    this.#sampleEvery = opts.sketchSampleEvery ?? 8;
    if (!Number.isInteger(this.#sampleEvery) || this.#sampleEvery < 1) throw new RangeError(`sketchSampleEvery must be a positive integer, got ${this.#sampleEvery}`);
    this.#partitions = opts.partitions;
    this.#clock = opts.clock ?? { now: () => Date.now() };
    const halfLifeMs = opts.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
    this.#rates = new AccessRates({ partitions: opts.partitions, halfLifeMs, clock: this.#clock });
    this.#sketch = new HotKeySketch({ capacity: opts.sketchCapacity ?? DEFAULT_SKETCH_CAPACITY, halfLifeMs, clock: this.#clock });
    this.#rows = new Float64Array(opts.partitions);
    this.#bytes = new Float64Array(opts.partitions);
  }

  /** Counts a served pull: each key one row of `bytesPerRow(table)` bytes in its partition. */
  recordPull(tables: Uint32Array, ids: Uint32Array, bytesPerRow: (table: number) => number): void {
    this.#record("pull", tables, ids, bytesPerRow);
  }

  /** Counts an applied push (a log entry, or a sync step's sum) of these keys. */
  recordPush(tables: Uint32Array, ids: Uint32Array, bytesPerRow: (table: number) => number): void {
    this.#record("push", tables, ids, bytesPerRow);
  }

  #record(kind: "pull" | "push", tables: Uint32Array, ids: Uint32Array, bytesPerRow: (table: number) => number): void {
    let lastTable = -1;
    let rowBytes = 0;
    for (let i = 0; i < tables.length; i++) {
      const t = tables[i]!;
      if (t !== lastTable) {
        lastTable = t;
        rowBytes = bytesPerRow(t);
      }
      const p = partitionOf(t, ids[i]!, this.#partitions);
      if (this.#rows[p] === 0) this.#touched.push(p);
      this.#rows[p] = this.#rows[p]! + 1;
      this.#bytes[p] = this.#bytes[p]! + rowBytes;
    }
    const weight = this.#sketch.weightNow();
    const every = this.#sampleEvery;
    for (let i = this.#sampleOffset; i < tables.length; i += every) this.#sketch.offer(tables[i]!, ids[i]!, every, weight);
    this.#sampleOffset = (this.#sampleOffset + 1) % every;
    for (const p of this.#touched) {
      this.#rates.record(p, kind, this.#rows[p]!, this.#bytes[p]!);
      this.#rows[p] = 0;
      this.#bytes[p] = 0;
    }
    this.#touched.length = 0;
  }

  /** The load report of `owned` partitions and the hottest keys, as of now. */
  report(shardId: string, epoch: number, owned: readonly number[], hotKeys = REPORTED_HOT_KEYS): LoadReport {
    const load = { partitions: [] as number[], pullRows: [] as number[], pullBytes: [] as number[], pushRows: [] as number[], pushBytes: [] as number[] };
    for (const p of owned) {
      if (p < 0 || p >= this.#partitions) continue;
      const r = this.#rates.rates(p);
      load.partitions.push(p);
      load.pullRows.push(r.pullRows);
      load.pullBytes.push(r.pullBytes);
      load.pushRows.push(r.pushRows);
      load.pushBytes.push(r.pushBytes);
    }
    return {
      v: 1, type: "ps.load", shardId, epoch, at: Math.round(Date.now()), halfLifeMs: Math.round(this.#rates.halfLifeMs), load,
      hotKeys: this.#sketch.top(hotKeys).map((k) => ({ ...k, partition: partitionOf(k.table, k.id, this.#partitions) })),
    };
  }
}
