/**
 * How long a supervisor waits before restarting a child: exponential in the child's
 * consecutive failures, capped, with jitter so that children that failed together
 * (a lost dependency) don't all come back in the same millisecond.
 */

/** Restart delay parameters; delay = min(maxMs, initialMs · multiplier^(failures−1)) · (1 ± jitter). */
export interface BackoffSpec {
  /** Delay after the first failure in a row. */
  readonly initialMs: number;
  /** Cap of the delay before jitter. */
  readonly maxMs: number;
  /** Growth factor per consecutive failure (>= 1). */
  readonly multiplier: number;
  /** Relative spread in [0, 1]: the delay is scaled by a factor uniform in [1 − jitter, 1 + jitter). */
  readonly jitter: number;
}

/**
 * The delay before the restart that follows the `failures`-th consecutive failure
 * (1 for the first). `random` returns a number in [0, 1), like Math.random. Never negative.
 */
export function restartDelay(backoff: BackoffSpec, failures: number, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** exponent);
  const factor = 1 + backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * factor));
}
