/**
 * Restart strategies of a supervisor, with Erlang/OTP's names and meaning. The
 * strategy says which children restart when one of them fails; whether the failed child
 * restarts at all is its restart type's business (restart-type.ts).
 */

/** Which children a supervisor restarts when one fails. */
export const Strategy = {
  /** Restart only the failed child. */
  OneForOne: "one_for_one",
  /** Stop every other child (reverse start order), then restart them all (start order). */
  OneForAll: "one_for_all",
  /** Stop the children started after the failed one (reverse), then restart it and them (in order). */
  RestForOne: "rest_for_one",
} as const;
export type Strategy = (typeof Strategy)[keyof typeof Strategy];
