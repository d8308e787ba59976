/**
 * A supervisor's registry entry for one child: its spec, its current incarnation (a
 * Run) and its restart bookkeeping, plus the public view of it (ChildInfo) and the
 * words used for how a child failed. The registry lives outside xstate (STYLE: a
 * supervisor may hold thousands of children); only the Supervisor mutates it.
 */
import type { ChildExit, ChildHandle } from "./child-handle.js";
import type { ChildSpec } from "./child-spec.js";
import type { EscalationError } from "./escalation-error.js";
import { RestartType } from "./restart-type.js";
import type { Supervisor } from "./supervisor.js";

/** Where a child is in its life, as children() reports it. */
export type ChildStatus = "stopped" | "starting" | "running" | "restarting" | "stopping";

/** One child as children() reports it. */
export interface ChildInfo {
  readonly id: string;
  readonly kind: "worker" | "supervisor";
  /** The running process's pid; null when none runs or for a nested supervisor. */
  readonly pid: number | null;
  readonly status: ChildStatus;
  /** Restarts of this child so far (scheduled ones included). */
  readonly restarts: number;
  /** A nested supervisor's own children, while it runs. */
  readonly children?: readonly ChildInfo[];
}

/** One incarnation of a child. @internal */
export interface Run {
  readonly handle: ChildHandle;
  /** Set when the child is a nested supervisor. */
  readonly nested: Supervisor | undefined;
  readonly startedAt: number;
  /** The supervisor asked it to stop: its exit is expected and reported by whoever asked. */
  stopping: boolean;
  /** Why reportUnresponsive killed it, if it did. */
  unresponsive: string | undefined;
}

/** A timer handle that can be compared by identity, so a fired-but-cancelled timer is recognised. @internal */
export interface TimerRef {
  id: unknown;
}

/** A child slot: its spec, its current incarnation, and its restart bookkeeping. @internal */
export interface ChildRecord {
  readonly spec: ChildSpec;
  run: Run | undefined;
  status: ChildStatus;
  restarts: number;
  /** Consecutive failures, for backoff; back to 1 after a child ran for periodMs. */
  failures: number;
  /** Pending one_for_one restart. */
  timer: TimerRef | undefined;
}

/** What went wrong with a child, for restart causes, logs and EscalationError. @internal */
export interface Failure {
  readonly description: string;
  /** Its exit; undefined when it failed to start. */
  readonly exit: ChildExit | undefined;
  /** How long the failed incarnation ran (0 when it never started). */
  readonly ranMs: number;
  /** Set when the child is a nested supervisor that escalated. */
  readonly nested: EscalationError | undefined;
}

/** A fresh, not yet started slot. @internal */
export function newChildRecord(spec: ChildSpec): ChildRecord {
  return { spec, run: undefined, status: "stopped", restarts: 0, failures: 0, timer: undefined };
}

/** A child's restart type; nested supervisors are permanent unless said otherwise. @internal */
export function restartTypeOf(spec: ChildSpec): RestartType {
  return spec.kind === "worker" ? spec.restart : (spec.restart ?? RestartType.Permanent);
}

/** `was killed by SIGKILL`, `exited with code 1`. @internal */
export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}
