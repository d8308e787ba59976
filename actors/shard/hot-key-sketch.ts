/**
 * The hottest keys (table, id) a shard serves, in bounded memory: Space-Saving
 * (Metwally, Agrawal, El Abbadi 2005) over exponentially decayed weights. It monitors
 * `capacity` keys; an access to a monitored key adds its weight, an access to any other
 * key takes over the slot of the least-counted one and inherits its count as error. Any
 * key whose decayed count exceeds total/capacity is guaranteed to be monitored, and a
 * monitored key's count overestimates its true count by at most its error.
 *
 * Decay is forward decay (Cormode, Shkapenyuk, Srivastava, Xu 2009): an access at time t
 * weighs 2^((t − L)/h) for a landmark L, so older accesses weigh relatively less without
 * touching any slot; counts are scaled down and L moved forward before they could
 * overflow. Because every count shrinks by the same factor when read, Space-Saving's
 * order and its guarantees hold on the decayed stream, and a key that stops being
 * accessed sinks until newer keys evict it.
 */
import { DEFAULT_HALF_LIFE_MS, type RateClock } from "./access-rates.js";

/** One hot key with its decayed access rate per second and the rate's possible overestimate. */
export interface HotKey {
  readonly table: number;
  readonly id: number;
  readonly rate: number;
  /** The true rate lies in [rate − error, rate]. */
  readonly error: number;
}

/** Landmark exponent (in half-lives) beyond which counts are rescaled: 2^64 stays far from overflow. */
const RESCALE_AT = 64;

/** Tables are model tables (below 2^16): table·2^32 + id is then exact in a double. */
const MAX_TABLE = 2 ** 21;
const keyOf = (table: number, id: number): number => {
  if (table >= MAX_TABLE) throw new RangeError(`table ${table} is beyond ${MAX_TABLE}: its keys would not be exact`);
  return table * 0x1_0000_0000 + id;
};

export class HotKeySketch {
  readonly #capacity: number;
  readonly #halfLifeMs: number;
  readonly #clock: RateClock;
  /** When the first access was offered (see AccessRates.rates). */
  #startedAt: number | undefined;
  #landmark: number;
  readonly #keys: Float64Array;
  readonly #counts: Float64Array;
  readonly #errors: Float64Array;
  /** Min-heap of slots by count; #where[slot] is the slot's index in it. */
  readonly #heap: Int32Array;
  readonly #where: Int32Array;
  readonly #slotOf = new Map<number, number>();
  #size = 0;

  constructor(opts: { capacity?: number; halfLifeMs?: number; clock?: RateClock } = {}) {
    this.#capacity = opts.capacity ?? 256;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${this.#capacity}`);
    this.#halfLifeMs = opts.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
    this.#clock = opts.clock ?? { now: () => Date.now() };
    this.#landmark = this.#clock.now();
    this.#keys = new Float64Array(this.#capacity);
    this.#counts = new Float64Array(this.#capacity);
    this.#errors = new Float64Array(this.#capacity);
    this.#heap = new Int32Array(this.#capacity);
    this.#where = new Int32Array(this.#capacity);
  }

  /** Keys monitored now (at most the capacity). */
  get size(): number {
    return this.#size;
  }

  /** Weight an access made now carries, rescaling every count first when it would grow too large. */
  weightNow(): number {
    const exponent = (this.#clock.now() - this.#landmark) / this.#halfLifeMs;
    if (exponent <= RESCALE_AT) return 2 ** exponent;
    const f = 2 ** -exponent;
    for (let s = 0; s < this.#size; s++) {
      this.#counts[s] = this.#counts[s]! * f;
      this.#errors[s] = this.#errors[s]! * f;
    }
    this.#landmark = this.#clock.now();
    return 1;
  }

  /** Counts `n` accesses to (table, id); `weight` is weightNow() (pass it to offer a batch at one instant). */
  offer(table: number, id: number, n = 1, weight = this.weightNow()): void {
    const key = keyOf(table, id);
    const w = n * weight;
    this.#startedAt ??= this.#clock.now();
    const slot = this.#slotOf.get(key);
    if (slot !== undefined) {
      this.#counts[slot] = this.#counts[slot]! + w;
      this.#siftDown(this.#where[slot]!);
      return;
    }
    if (this.#size < this.#capacity) {
      const s = this.#size++;
      this.#keys[s] = key;
      this.#counts[s] = w;
      this.#errors[s] = 0;
      this.#heap[s] = s;
      this.#where[s] = s;
      this.#slotOf.set(key, s);
      this.#siftUp(s);
      return;
    }
    // Take over the least-counted slot: the newcomer may have been seen up to `min` times unmonitored.
    const s = this.#heap[0]!;
    const min = this.#counts[s]!;
    this.#slotOf.delete(this.#keys[s]!);
    this.#keys[s] = key;
    this.#counts[s] = min + w;
    this.#errors[s] = min;
    this.#slotOf.set(key, s);
    this.#siftDown(0);
  }

  /** The `n` hottest keys, hottest first, with rates per second (bias-corrected during the first half-lives, as AccessRates). */
  top(n: number): HotKey[] {
    const now = this.#clock.now();
    const age = Math.max(now - (this.#startedAt ?? now), 1);
    const scale = 2 ** (-(now - this.#landmark) / this.#halfLifeMs) * Math.LN2 / (this.#halfLifeMs / 1000) / (1 - 2 ** (-age / this.#halfLifeMs));
    const slots = Array.from({ length: this.#size }, (_, s) => s).sort((a, b) => this.#counts[b]! - this.#counts[a]!).slice(0, Math.max(0, n));
    return slots.map((s) => {
      const key = this.#keys[s]!;
      const table = Math.floor(key / 0x1_0000_0000);
      return { table, id: key - table * 0x1_0000_0000, rate: this.#counts[s]! * scale, error: this.#errors[s]! * scale };
    });
  }

  #less(i: number, j: number): boolean {
    return this.#counts[this.#heap[i]!]! < this.#counts[this.#heap[j]!]!;
  }

  #swap(i: number, j: number): void {
    const a = this.#heap[i]!;
    const b = this.#heap[j]!;
    this.#heap[i] = b;
    this.#heap[j] = a;
    this.#where[b] = i;
    this.#where[a] = j;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.#size) return;
      const r = l + 1;
      const c = r < this.#size && this.#less(r, l) ? r : l;
      if (!this.#less(c, i)) return;
      this.#swap(i, c);
      i = c;
    }
  }
}
