/**
 * What a supervisor tells the world, as one discriminated union: children starting,
 * exiting, being restarted or given up on, and the supervisor itself escalating or
 * stopping. A supervisor re-emits its nested supervisors' events, so subscribing to
 * the root sees the whole tree; `supervisor` names the one that acted.
 */
import type { ChildExit } from "./child-handle.js";
import type { EscalationError } from "./escalation-error.js";

export type SupervisorEvent =
  /** An incarnation of a child is running. attempt: 0 for the first start, n for the n-th restart. pid null for a nested supervisor. */
  | { readonly type: "child.started"; readonly supervisor: string; readonly child: string; readonly pid: number | null; readonly attempt: number }
  /** A child's start() threw or rejected; handled as a failure of that child. */
  | { readonly type: "child.start_failed"; readonly supervisor: string; readonly child: string; readonly reason: string }
  /** An incarnation ended. expected: the supervisor had asked it to stop (stop, terminateChild, a sibling's restart). */
  | { readonly type: "child.exited"; readonly supervisor: string; readonly child: string; readonly exit: ChildExit; readonly expected: boolean }
  /** A restart is scheduled: the child starts again after delayMs. attempt counts this child's restarts, this one included. */
  | { readonly type: "child.restarted"; readonly supervisor: string; readonly child: string; readonly attempt: number; readonly delayMs: number; readonly cause: string }
  /** A child left the supervisor without a restart: temporary, or transient after a normal exit. */
  | { readonly type: "child.gave_up"; readonly supervisor: string; readonly child: string; readonly reason: string }
  /** Too many restarts within periodMs: the supervisor stopped its children and escalated to its parent. */
  | { readonly type: "supervisor.escalated"; readonly supervisor: string; readonly child: string; readonly restarts: number; readonly periodMs: number; readonly error: EscalationError }
  /** stop() finished: every child has exited. */
  | { readonly type: "supervisor.stopped"; readonly supervisor: string };

/** The event type names, for exhaustive handling. */
export type SupervisorEventType = SupervisorEvent["type"];
