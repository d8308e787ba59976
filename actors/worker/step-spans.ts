/**
 * Spans of a worker's training step: `step` (a root span, sampled at the configured
 * ratio) with children `read` (waiting for the batch's rows from the data file),
 * `pull`, `compute` and `push`. Requests made inside `pull` and `push` become client
 * spans whose context travels to the shards (actors/runtime/request.ts). With tracing
 * off these are the API's no-op spans.
 */
import { context, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";
import { colonyTracer } from "../runtime/tracing.js";

const failed = (span: Span, err: unknown): void => {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
};

/** Runs one step inside a new `step` root span that began when the worker started waiting for its batch (epoch ms). */
export async function inStepSpan<T>(readStartMs: number, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const tracer = colonyTracer();
  const step = tracer.startSpan("step", { root: true, startTime: readStartMs, attributes });
  const ctx = trace.setSpan(context.active(), step);
  if (step.isRecording()) tracer.startSpan("read", { startTime: readStartMs }, ctx).end();
  try {
    return await context.with(ctx, fn);
  } catch (err) {
    failed(step, err);
    throw err;
  } finally {
    step.end();
  }
}

/** Runs `fn` inside a child span `name` of the active step; the span ends when fn's result settles. */
export function inPhaseSpan<T>(name: string, fn: () => T): T {
  const parent = trace.getSpan(context.active());
  if (!parent?.isRecording()) return fn();
  const span = colonyTracer().startSpan(name);
  const ctx = trace.setSpan(context.active(), span);
  let result: T;
  try {
    result = context.with(ctx, fn);
  } catch (err) {
    failed(span, err);
    span.end();
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (v: unknown) => { span.end(); return v; },
      (err: unknown) => { failed(span, err); span.end(); throw err; },
    ) as T;
  }
  span.end();
  return result;
}
