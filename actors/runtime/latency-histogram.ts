/**
 * Latency histograms that travel inside an actor's counters. An actor records each
 * duration into fixed buckets (`hist.<name>.b<i>` counts per bucket, plus `.count` and
 * `.sum`); the counters ride on heartbeats, and the root supervisor reads them back with
 * `readLatencyHistogram` to export them (Prometheus, `colony status`). Bucket bounds are
 * part of that contract: both sides use `LATENCY_BUCKETS_MS`.
 */
import type { Counters } from "./counters.js";

/** Inclusive upper bounds of the buckets, in milliseconds; one more bucket holds the rest. */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/** A histogram as read back from counters: per-bucket counts (not cumulative), total count and sum. */
export interface LatencyHistogram {
  readonly boundaries: readonly number[];
  /** `boundaries.length + 1` counts; the last is the overflow bucket. */
  readonly counts: number[];
  readonly count: number;
  readonly sum: number;
}

const key = (name: string, suffix: string): string => `hist.${name}.${suffix}`;

/** Index of the bucket `ms` falls in. */
function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (ms <= LATENCY_BUCKETS_MS[i]!) return i;
  return LATENCY_BUCKETS_MS.length;
}

/** Records one duration of `name` (e.g. "pull_ms") into `counters`. */
export function recordLatency(counters: Counters, name: string, ms: number): void {
  counters.inc(key(name, `b${bucketOf(ms)}`));
  counters.inc(key(name, "count"));
  counters.inc(key(name, "sum"), ms);
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
  const counts = Array.from({ length: LATENCY_BUCKETS_MS.length + 1 }, (_, i) => counters[key(name, `b${i}`)] ?? 0);
  return { boundaries: LATENCY_BUCKETS_MS, counts, count, sum: counters[key(name, "sum")] ?? 0 };
}
