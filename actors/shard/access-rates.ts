/**
 * Per-partition access rates of one shard: rows and bytes pulled and pushed per second,
 * as exponentially decayed rates. Each series keeps a decayed sum S (every event adds
 * its amount, and S halves every `halfLifeMs`); a steady stream of r per second brings S
 * to r·h/ln 2, so the rate is S·ln 2/h. Decay is applied lazily per partition when it is
 * touched or read, so recording costs one exponential per partition per request, not per
 * key. Time comes from an injected clock so tests advance it instead of sleeping.
 *
 * The boundary: this counts; it does not know which partitions the shard owns or what
 * a load report looks like (access-accounting.ts does).
 */

/** What the rates need of time: milliseconds, only differences are used. */
export interface RateClock { now(): number }

/** Default half-life of every rate: see docs/decisions.md ("Access accounting"). */
export const DEFAULT_HALF_LIFE_MS = 10_000;

/** The four series kept per partition, in storage order. */
export const AccessSeries = { PullRows: 0, PullBytes: 1, PushRows: 2, PushBytes: 3 } as const;
export type AccessSeries = (typeof AccessSeries)[keyof typeof AccessSeries];
const SERIES = 4;

/** Decayed rates of one partition, per second. */
export interface PartitionRates {
  readonly pullRows: number;
  readonly pullBytes: number;
  readonly pushRows: number;
  readonly pushBytes: number;
}

export class AccessRates {
  readonly #halfLifeMs: number;
  readonly #clock: RateClock;
  /** When the first access was recorded: a shard idles between its start and the first pull. */
  #startedAt: number | undefined;
  /** Decayed sums, SERIES per partition. */
  #sums: Float64Array;
  /** When each partition's sums were last decayed. */
  #decayedAt: Float64Array;

  constructor(opts: { partitions: number; halfLifeMs?: number; clock?: RateClock }) {
    this.#halfLifeMs = opts.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
    if (!(this.#halfLifeMs > 0)) throw new RangeError(`halfLifeMs must be positive, got ${this.#halfLifeMs}`);
    this.#clock = opts.clock ?? { now: () => Date.now() };
    this.#sums = new Float64Array(opts.partitions * SERIES);
    this.#decayedAt = new Float64Array(opts.partitions).fill(this.#clock.now());
  }

  /** Half-life of every rate, in milliseconds. */
  get halfLifeMs(): number {
    return this.#halfLifeMs;
  }

  /** Number of partitions counted. */
  get partitions(): number {
    return this.#decayedAt.length;
  }

  /** Adds `rows` rows of `bytes` bytes to a partition's pull (or push) series, now. */
  record(partition: number, kind: "pull" | "push", rows: number, bytes: number): void {
    if (partition < 0 || partition >= this.partitions) return;
    const now = this.#clock.now();
    this.#startedAt ??= now;
    this.#decay(partition, now);
    const base = partition * SERIES + (kind === "pull" ? AccessSeries.PullRows : AccessSeries.PushRows);
    this.#sums[base] = this.#sums[base]! + rows;
    this.#sums[base + 1] = this.#sums[base + 1]! + bytes;
  }

  /**
   * The rates of a partition now, per second. In the first half-lives after the first
   * access the sum has not reached its steady state yet; the rate is divided by the share
   * it has reached (1 − 2^(−age/h)), so a fresh shard reports its true rate instead of
   * ramping up.
   */
  rates(partition: number): PartitionRates {
    const now = this.#clock.now();
    this.#decay(partition, now);
    const age = Math.max(now - (this.#startedAt ?? now), 1);
    const scale = Math.LN2 / (this.#halfLifeMs / 1000) / (1 - 2 ** (-age / this.#halfLifeMs));
    const b = partition * SERIES;
    return {
      pullRows: this.#sums[b]! * scale,
      pullBytes: this.#sums[b + 1]! * scale,
      pushRows: this.#sums[b + 2]! * scale,
      pushBytes: this.#sums[b + 3]! * scale,
    };
  }

  #decay(partition: number, now: number): void {
    const dt = now - this.#decayedAt[partition]!;
    if (dt <= 0) return;
    const f = 2 ** (-dt / this.#halfLifeMs);
    const b = partition * SERIES;
    for (let i = b; i < b + SERIES; i++) this.#sums[i] = this.#sums[i]! * f;
    this.#decayedAt[partition] = now;
  }
}
