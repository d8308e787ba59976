/**
 * The time source of a supervisor: wall-clock reads and timers (restart backoff,
 * SIGKILL after a shutdown timeout). Injected so unit tests run on a simulated clock —
 * xstate's SimulatedClock fits as is — while production uses the system clock.
 */

/** What a supervisor needs of time. Structurally compatible with xstate's Clock. */
export interface SupervisorClock {
  /** Milliseconds on a monotone-enough scale; only differences are used. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Real time: Date.now() and Node's timers. */
export const systemClock: SupervisorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};
