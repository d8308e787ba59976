/**
 * The mean of paired differences with a percentile-bootstrap confidence interval:
 * resample the pairs with replacement many times, take each resample's mean, and read
 * the interval off the sorted means. It assumes the pairs are independent draws, not that
 * the differences are normal; with a dozen pairs a percentile interval covers a little
 * less than its nominal level, so a verdict should not rest on it alone (the benchmark
 * also asks the sign-test interval of the median, paired-difference.ts). Seeded, so the
 * same values give the same interval on every run.
 */
import { seededRandom } from "../train/index.js";

/** A mean with its bootstrap interval. */
export interface MeanInterval {
  readonly n: number;
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** The level asked for (the interval's nominal coverage); 0 when n is too small to resample. */
  readonly level: number;
  readonly resamples: number;
}

/** Arithmetic mean; NaN for none. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The value at quantile q (0..1) of sorted values, linear between neighbours. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * The mean of `values` and its percentile-bootstrap interval at `level`; with fewer than
 * 3 values, the whole range and level 0 (too few to say anything).
 */
export function bootstrapMeanInterval(values: readonly number[], opts: { level?: number; resamples?: number; seed?: number } = {}): MeanInterval {
  const level = opts.level ?? 0.95;
  const resamples = opts.resamples ?? 10_000;
  const n = values.length;
  const m = mean(values);
  if (n < 3) return { n, mean: m, low: n === 0 ? NaN : Math.min(...values), high: n === 0 ? NaN : Math.max(...values), level: 0, resamples: 0 };
  const random = seededRandom(opts.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  return { n, mean: m, low: quantileOfSorted(sorted, (1 - level) / 2), high: quantileOfSorted(sorted, 1 - (1 - level) / 2), level, resamples };
}
