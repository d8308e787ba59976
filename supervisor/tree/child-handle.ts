/**
 * The one thing a supervisor knows about a running child: its pid, a promise of how it
 * ended, and a way to signal it. Anything with that shape can be supervised — an OS
 * process (childProcessHandle wraps a node ChildProcess; supervisor/actor-process.ts's
 * ActorProcess already fits as is), or a fake in tests. Liveness beyond "has it exited"
 * (heartbeats) is not known here: the caller reports it (Supervisor.reportUnresponsive).
 */
import type { ChildProcess } from "node:child_process";
import { SpawnError } from "./supervision-errors.js";

/** How a child ended: an exit code, or the signal that killed it (the other is null). */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A started child as its supervisor sees it. */
export interface ChildHandle {
  /** OS process id (for display and liveness checks; the supervisor signals through kill). */
  readonly pid: number;
  /** Resolves once, when the child has exited; never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Sends a signal without waiting; does nothing once the child has exited. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Wraps a spawned ChildProcess as a ChildHandle. Throws SpawnError when the spawn
 * failed (node leaves `pid` undefined synchronously in that case). The process's
 * 'error' events (a failed spawn, a failed kill) are absorbed here: the exit, or the
 * SpawnError, is what the supervisor acts on, and an unobserved 'error' would crash us.
 */
export function childProcessHandle(cp: ChildProcess): ChildHandle {
  cp.on("error", () => undefined);
  const pid = cp.pid;
  if (pid === undefined) throw new SpawnError(`process ${cp.spawnfile}`);
  const ended = (): boolean => cp.exitCode !== null || cp.signalCode !== null;
  const exited = new Promise<ChildExit>((resolve) => {
    // The exit may already have happened before we were handed the process.
    if (ended()) resolve({ code: cp.exitCode, signal: cp.signalCode });
    else cp.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pid,
    exited,
    kill(signal: NodeJS.Signals = "SIGTERM"): void {
      if (!ended()) cp.kill(signal);
    },
  };
}
