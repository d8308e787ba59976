/**
 * Spans of a worker: a training `step` (a root span, sampled at the configured ratio)
 * with children `read` (waiting for the batch's rows from the data file), `pull`,
 * `compute` and `push`; and a `lease` (asking the coordinator for a task). Requests made inside `pull` and `push` become client
 * spans whose context travels to the shards (actors/runtime/request.ts). With tracing
 * off these are the API's no-op spans.
 */
import { context, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";
import { colonyTracer } from "../runtime/tracing.js";

const failed = (span: Span, err: unknown): void => {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
};

/** Runs `fn` inside a new root span `name` (sampled at the configured ratio) that began at `startMs` (epoch ms). */
export async function inRootSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, startMs = Date.now(), onStart?: (span: Span) => void): Promise<T> {
  const root = colonyTracer().startSpan(name, { root: true, startTime: startMs, attributes });
  onStart?.(root);
  try {
    return await context.with(trace.setSpan(context.active(), root), fn);
  } catch (err) {
    failed(root, err);
    throw err;
  } finally {
    root.end();
  }
}

/** Runs one step inside a new `step` root span that began when the worker started waiting for its batch (epoch ms); `read` covers that wait. */
export async function inStepSpan<T>(readStartMs: number, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return inRootSpan("step", attributes, fn, readStartMs, (step) => {
    if (step.isRecording()) colonyTracer().startSpan("read", { startTime: readStartMs }, trace.setSpan(context.active(), step)).end();
  });
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
