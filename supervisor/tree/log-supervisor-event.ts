/**
 * Mirrors supervisor events to a pino logger, at a level that matches their weight:
 * crashes warn, escalation is an error, the rest is info. The logger is expected to
 * carry `{ supervisor }` already.
 */
import type { Logger } from "pino";
import type { SupervisorEvent } from "./supervisor-event.js";

/** Writes one line for `event`. */
export function logSupervisorEvent(log: Logger, event: SupervisorEvent): void {
  switch (event.type) {
    case "child.started":
      log.info({ child: event.child, pid: event.pid, attempt: event.attempt }, "child started");
      return;
    case "child.start_failed":
      log.warn({ child: event.child, reason: event.reason }, "child failed to start");
      return;
    case "child.exited":
      if (event.expected) log.info({ child: event.child, exit: event.exit }, "child stopped");
      else log.warn({ child: event.child, exit: event.exit }, "child exited");
      return;
    case "child.restarted":
      log.info({ child: event.child, attempt: event.attempt, delayMs: event.delayMs, cause: event.cause }, "restarting child");
      return;
    case "child.gave_up":
      log.info({ child: event.child, reason: event.reason }, "child not restarted");
      return;
    case "supervisor.escalated":
      log.error({ child: event.child, restarts: event.restarts, periodMs: event.periodMs, err: event.error }, "supervisor escalated");
      return;
    case "supervisor.stopped":
      log.info("supervisor stopped");
      return;
  }
}
