/**
 * W3C trace context (`traceparent`, `tracestate`) in NATS message headers: the sender
 * injects the active span's context, the receiver extracts it and continues the same
 * trace. Only sampled contexts travel, so an unsampled step costs no headers.
 */
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { context, propagation, trace, TraceFlags, type Context, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";

const setter: TextMapSetter<MsgHdrs> = { set: (h, key, value) => h.set(key, value) };
const getter: TextMapGetter<MsgHdrs> = {
  keys: (h) => h.keys(),
  get: (h, key) => (h.has(key) ? h.get(key) : undefined),
};

/** True when the active context holds a span that is sampled (its trace is being recorded). */
export function tracingActive(ctx: Context = context.active()): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** Adds the trace context of `ctx` to `headers` (created when absent); returns them, or the input untouched when nothing is sampled. */
export function injectTraceContext(headers: MsgHdrs | undefined, ctx: Context = context.active()): MsgHdrs | undefined {
  if (!tracingActive(ctx)) return headers;
  const h = headers ?? natsHeaders();
  propagation.inject(ctx, h, setter);
  return h;
}

/** The context a message's headers carry, or undefined when they carry no trace. */
export function extractTraceContext(headers: MsgHdrs | undefined): Context | undefined {
  if (!headers || !headers.has("traceparent")) return undefined;
  const ctx = propagation.extract(context.active(), headers, getter);
  return trace.getSpan(ctx) ? ctx : undefined;
}
