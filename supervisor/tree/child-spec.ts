/**
 * What a supervisor is told to run: a tree of specs. A worker child is anything that
 * start() turns into a ChildHandle (usually an OS process); a supervisor child is a
 * nested supervisor with its own strategy, limits and children. Specs are plain data
 * plus start functions; the supervisor never mutates them.
 */
import type { ChildHandle } from "./child-handle.js";
import type { BackoffSpec } from "./restart-backoff.js";
import type { RestartType } from "./restart-type.js";
import type { Strategy } from "./strategy.js";

/** A child that runs something: an OS process, usually. */
export interface WorkerChildSpec {
  readonly kind: "worker";
  /** Unique among its siblings (and, for reportUnresponsive, within the tree). */
  readonly id: string;
  readonly restart: RestartType;
  /** How long the child gets between SIGTERM and SIGKILL when it is stopped. */
  readonly shutdownMs: number;
  /** Starts one incarnation; called again for every restart. A throw counts as a failure. */
  start(): ChildHandle | Promise<ChildHandle>;
}

/** A nested supervisor. It is stopped with stop() (no SIGKILL deadline of its own: its children have theirs). */
export interface SupervisorChildSpec {
  readonly kind: "supervisor";
  readonly id: string;
  readonly spec: SupervisorSpec;
  /** Default permanent. Its escalation is an abnormal exit; being stopped by its parent is not. */
  readonly restart?: RestartType;
}

export type ChildSpec = WorkerChildSpec | SupervisorChildSpec;

/** One supervisor: how it restarts, how much it tolerates, what it runs (in start order). */
export interface SupervisorSpec {
  readonly id: string;
  readonly strategy: Strategy;
  /** Restarts allowed within periodMs; one more and the supervisor escalates. */
  readonly intensity: number;
  /** The intensity window; also how long a child must run for its backoff to reset. */
  readonly periodMs: number;
  readonly backoff: BackoffSpec;
  readonly children: readonly ChildSpec[];
}
