/**
 * The process-wide pino logger of an actor process. Every line carries
 * {cluster, actor, kind, pid}; the supervisor captures stdout into the run's log files.
 */
import { hostname } from "node:os";
import { pino, type Logger, type LevelWithSilent } from "pino";

/** Creates the root logger of one actor process. */
export function actorLogger(opts: { cluster: string; actor: string; kind: string; level: LevelWithSilent }): Logger {
  return pino({
    level: opts.level,
    base: { cluster: opts.cluster, actor: opts.actor, kind: opts.kind, pid: process.pid, host: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
