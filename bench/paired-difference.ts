/**
 * Statistics of paired runs, for benchmarks on a machine whose load drifts: each pair
 * runs the two settings back to back, so a slow minute slows both, and what is compared
 * is the difference within each pair. The median of those differences gets a
 * distribution-free confidence interval from order statistics (the sign-test interval:
 * no assumption that the differences are normal, which on a shared machine they are not).
 */

/** A median with its confidence interval. */
export interface MedianInterval {
  readonly n: number;
  readonly median: number;
  /** Interval bounds: the k-th smallest and the k-th largest value. */
  readonly low: number;
  readonly high: number;
  /** Exact coverage of [low, high] for the true median (≥ the level asked for), 0 when n is too small for it. */
  readonly coverage: number;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let total = 0;
  for (let i = 0; i <= k; i++) {
    total += term;
    term = (term * (n - i)) / (i + 1);
  }
  return total;
}

/** Median of `xs` (the mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median of `values` and the narrowest order-statistic interval [x_(k), x_(n+1−k)]
 * whose coverage is at least `level`; with too few values for that level, the whole
 * range and coverage 0 (say "not resolved", never a made-up interval).
 */
export function medianInterval(values: readonly number[], level = 0.95): MedianInterval {
  const n = values.length;
  const s = [...values].sort((a, b) => a - b);
  // Coverage of [x_(k), x_(n+1-k)] is 1 - 2 P(X ≤ k-1); take the largest k that keeps it ≥ level.
  let k = 0;
  while (k + 1 <= Math.floor(n / 2) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  if (k === 0) return { n, median: median(s), low: s[0] ?? NaN, high: s[n - 1] ?? NaN, coverage: 0 };
  return { n, median: median(s), low: s[k - 1]!, high: s[n - k]!, coverage: 1 - 2 * binomialHalfCdf(n, k - 1) };
}

/** What paired runs say about a floor on a loss: met (the whole interval below it), missed (above it), or not resolved. */
export type FloorVerdict = "met" | "missed" | "not_resolved";

/** The verdict on "loss under `floor`" from the interval of the loss. */
export function floorVerdict(loss: MedianInterval, floor: number): FloorVerdict {
  if (loss.coverage === 0) return "not_resolved";
  if (loss.high < floor) return "met";
  if (loss.low > floor) return "missed";
  return "not_resolved";
}
