/**
 * Latency histograms that travel inside an actor's counters. An actor records each
 * duration into fixed buckets (`hist.<name>.b<i>` counts per bucket, plus `.count` and
 * `.sum`); the counters ride on heartbeats, and the root supervisor reads them back with
 * `readLatencyHistogram` to export them (Prometheus, `colony status`). Bucket bounds are
 * part of that contract: both sides take them from `histogramBounds(name)`, which is
 * `LATENCY_BUCKETS_MS` for durations and `STALENESS_BUCKETS_ENTRIES` for a worker's
 * staleness (update-log entries, not milliseconds).
 */
import type { Counters } from "./counters.js";

/** Inclusive upper bounds of the buckets, in milliseconds; one more bucket holds the rest. */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/**
 * Bounds for staleness in update-log entries: 0 (the rows included every entry stored
 * before the push) gets its own bucket; a batch's push is up to one entry per partition,
 * so the upper buckets reach hundreds of other workers' pushes.
 */
export const STALENESS_BUCKETS_ENTRIES: readonly number[] = [0, 10, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

/** Name of the histogram of a worker's staleness, in update-log entries (docs/operations.md). */
export const STALENESS_HISTOGRAM = "staleness_entries";

/** The bucket bounds of histogram `name`. */
export function histogramBounds(name: string): readonly number[] {
  return name === STALENESS_HISTOGRAM ? STALENESS_BUCKETS_ENTRIES : LATENCY_BUCKETS_MS;
}

/** A histogram as read back from counters: per-bucket counts (not cumulative), total count and sum. */
export interface LatencyHistogram {
  readonly boundaries: readonly number[];
  /** `boundaries.length + 1` counts; the last is the overflow bucket. */
  readonly counts: number[];
  readonly count: number;
  readonly sum: number;
}

const key = (name: string, suffix: string): string => `hist.${name}.${suffix}`;

/** Index of the bucket `value` falls in. */
function bucketOf(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) return i;
  return bounds.length;
}

/** Records one value of histogram `name` (a duration such as "pull_ms", or staleness) into `counters`. */
export function recordLatency(counters: Counters, name: string, value: number): void {
  counters.inc(key(name, `b${bucketOf(histogramBounds(name), value)}`));
  counters.inc(key(name, "count"));
  counters.inc(key(name, "sum"), value);
}

/** Names of the histograms present in a counters snapshot. */
export function latencyHistogramNames(counters: Record<string, number>): string[] {
  const names = new Set<string>();
  for (const k of Object.keys(counters)) {
    const m = /^hist\.(.+)\.count$/.exec(k);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Reads histogram `name` back from a counters snapshot; undefined when it was never recorded. */
export function readLatencyHistogram(counters: Record<string, number>, name: string): LatencyHistogram | undefined {
  const count = counters[key(name, "count")];
  if (count === undefined) return undefined;
  const bounds = histogramBounds(name);
  const counts = Array.from({ length: bounds.length + 1 }, (_, i) => counters[key(name, `b${i}`)] ?? 0);
  return { boundaries: bounds, counts, count, sum: counters[key(name, "sum")] ?? 0 };
}
