/**
 * The errors a supervisor throws at its callers, besides EscalationError (which it
 * reports rather than throws). All are terminal: they describe a misuse or a child that
 * cannot start, which repeating the same call will not fix.
 */
import { TerminalError } from "../../protocols/index.js";

/** A child process that never started (bad executable, no resources): there is no pid to supervise. */
export class SpawnError extends TerminalError {
  constructor(what: string) {
    super("supervision.spawn_failed", `${what} did not start: spawn failed (no pid); check the command and its working directory`);
  }
}

/** A child's start() threw during start() or startChild(); the supervisor did not keep it. */
export class ChildStartError extends TerminalError {
  readonly supervisor: string;
  readonly child: string;
  constructor(supervisor: string, child: string, cause: unknown) {
    super("supervision.start_failed", `supervisor "${supervisor}" could not start child "${child}": ${messageOf(cause)}`, { cause });
    this.supervisor = supervisor;
    this.child = child;
  }
}

/** Two children of one supervisor with the same id. */
export class DuplicateChildError extends TerminalError {
  readonly supervisor: string;
  readonly child: string;
  constructor(supervisor: string, child: string) {
    super("supervision.duplicate_child", `supervisor "${supervisor}" already has a child "${child}"; child ids must be unique`);
    this.supervisor = supervisor;
    this.child = child;
  }
}

/** startChild on a supervisor that is not running (not started yet, stopping, stopped or escalated). */
export class SupervisorNotRunningError extends TerminalError {
  readonly supervisor: string;
  readonly state: string;
  constructor(supervisor: string, state: string) {
    super("supervision.not_running", `supervisor "${supervisor}" is ${state}, not running: it takes no new children`);
    this.supervisor = supervisor;
    this.state = state;
  }
}

/** The message of anything thrown. @internal */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
