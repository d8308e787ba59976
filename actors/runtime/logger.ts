/**
 * The process-wide pino logger of an actor process. Every line carries
 * {cluster, actor, kind, pid}; a line written inside a sampled span also carries its
 * `trace_id` and `span_id`, so logs and traces join. The supervisor captures stdout
 * into the run's log files.
 */
import { hostname } from "node:os";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { pino, type Logger, type LevelWithSilent } from "pino";

/** The active span's ids, for a log line; nothing outside a sampled span. */
export function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const c = span.spanContext();
  if ((c.traceFlags & TraceFlags.SAMPLED) !== TraceFlags.SAMPLED) return {};
  return { trace_id: c.traceId, span_id: c.spanId };
}

/** Creates the root logger of one actor process. */
export function actorLogger(opts: { cluster: string; actor: string; kind: string; level: LevelWithSilent; host?: string }): Logger {
  return pino({
    level: opts.level,
    base: { cluster: opts.cluster, actor: opts.actor, kind: opts.kind, pid: process.pid, host: opts.host ?? hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
  });
}
