/**
 * The restart intensity limit of OTP: a supervisor allows at most `intensity` restarts
 * within any `periodMs`; one more and it gives up. Kept as plain data (a list of
 * restart times) so the supervisor machine can hold it in its context and a model
 * walk can compare states.
 */

/** A supervisor's restart budget. */
export interface IntensityLimit {
  /** Restarts allowed within periodMs; one more escalates. 0: the first failure escalates. */
  readonly intensity: number;
  readonly periodMs: number;
}

/** The outcome of recording one restart. */
export interface RestartRecord {
  /** Restart times still inside the window, this one included, oldest first. */
  readonly times: readonly number[];
  /** True when the window now holds more restarts than the limit allows. */
  readonly exceeded: boolean;
}

/**
 * Records a restart at `now` against the times already recorded; times that fell out
 * of the window (`now - t >= periodMs`) are dropped. Pure: returns new data.
 */
export function recordRestart(times: readonly number[], now: number, limit: IntensityLimit): RestartRecord {
  const kept = [...times.filter((t) => now - t < limit.periodMs), now];
  return { times: kept, exceeded: kept.length > limit.intensity };
}
