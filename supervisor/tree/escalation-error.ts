/**
 * EscalationError: a supervisor needed more restarts within its period than its
 * intensity allows, so it stopped its children and gave up. For a nested supervisor
 * the parent handles this as an abnormal exit of that child; for the root it ends the
 * job, and its message is what the operator reads. It is terminal: restarting the same
 * thing again is exactly what was just tried too often.
 */
import { TerminalError } from "../../protocols/index.js";
import type { ChildExit } from "./child-handle.js";

/** The innermost failure behind an escalation: a worker child and how it failed. */
export interface FailureOrigin {
  /** The supervisor that holds the child. */
  readonly supervisor: string;
  readonly child: string;
  /** How it failed, in words: `exited with code 1`, `was killed by SIGKILL (unresponsive: …)`. */
  readonly description: string;
  /** Its exit, when it exited (not for a failed start). */
  readonly exit?: ChildExit;
}

export interface EscalationFields {
  /** The supervisor that gave up. */
  readonly supervisor: string;
  /** Its child whose failure went over the limit (a nested supervisor's id when that one escalated). */
  readonly child: string;
  /** Restarts the window would have held with this one. */
  readonly restarts: number;
  readonly intensity: number;
  readonly periodMs: number;
  /** The worker failure at the bottom of the chain (this supervisor's own child, or deeper). */
  readonly origin: FailureOrigin;
}

/** A supervisor exceeded its restart intensity and stopped. Don't restart the same way: raise the limit or fix the crash. */
export class EscalationError extends TerminalError implements EscalationFields {
  readonly supervisor: string;
  readonly child: string;
  readonly restarts: number;
  readonly intensity: number;
  readonly periodMs: number;
  readonly origin: FailureOrigin;

  /** `cause`: the nested supervisor's EscalationError when that is what failed. */
  constructor(fields: EscalationFields, options?: { cause?: unknown }) {
    const { supervisor, child, restarts, intensity, periodMs, origin } = fields;
    const last = origin.child === child && origin.supervisor === supervisor
      ? `child "${child}" ${origin.description}`
      : `child "${child}" escalated (at the bottom: "${origin.child}" of supervisor "${origin.supervisor}" ${origin.description})`;
    super(
      "supervision.escalated",
      `supervisor "${supervisor}" gave up and stopped its children: ${restarts} restarts needed within ${periodMs} ms, ` +
        `more than its restart intensity (${intensity}) allows; last failure: ${last}. ` +
        `Raise supervision.intensity (or lower supervision.periodMs) if such failures are expected, ` +
        `or fix why "${origin.child}" fails (see its log).`,
      options,
    );
    this.supervisor = supervisor;
    this.child = child;
    this.restarts = restarts;
    this.intensity = intensity;
    this.periodMs = periodMs;
    this.origin = origin;
  }
}
