import { headers } from "@nats-io/transport-node";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { pino } from "pino";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceFields } from "../../../../actors/runtime/logger.js";
import { extractTraceContext, injectTraceContext } from "../../../../actors/runtime/trace-headers.js";
import { inPhaseSpan, inStepSpan } from "../../../../actors/worker/step-spans.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const unsampled = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
});

describe("trace context in NATS headers", () => {
  it("carries a sampled span's trace id and span id to the receiver", () => {
    const span = provider.getTracer("t").startSpan("pull");
    const h = injectTraceContext(undefined, trace.setSpan(context.active(), span))!;
    expect(h.get("traceparent")).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const received = extractTraceContext(h)!;
    expect(trace.getSpanContext(received)).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, isRemote: true });
    span.end();
  });

  it("adds no headers outside a sampled span, and finds no trace in headers without one", () => {
    expect(injectTraceContext(undefined)).toBeUndefined();
    const off = unsampled.getTracer("t").startSpan("step");
    expect(injectTraceContext(undefined, trace.setSpan(context.active(), off))).toBeUndefined();
    const h = headers();
    h.set("Nats-Msg-Id", "x");
    expect(injectTraceContext(h)).toBe(h);
    expect(h.has("traceparent")).toBe(false);
    expect(extractTraceContext(h)).toBeUndefined();
    expect(extractTraceContext(undefined)).toBeUndefined();
  });
});

describe("step spans", () => {
  it("record step with read, pull, compute and push as children, in one trace, across awaits", async () => {
    exporter.reset();
    const loss = await inStepSpan(Date.now() - 5, { "colony.task": "t1" }, async () => {
      await inPhaseSpan("pull", async () => { await new Promise((r) => setTimeout(r, 2)); });
      inPhaseSpan("compute", () => 1 + 1);
      await inPhaseSpan("push", () => Promise.resolve());
      return 0.5;
    });
    expect(loss).toBe(0.5);
    const spans = exporter.getFinishedSpans();
    const step = spans.find((s) => s.name === "step")!;
    expect(step.parentSpanContext).toBeUndefined();
    expect(spans.map((s) => s.name).sort()).toEqual(["compute", "pull", "push", "read", "step"]);
    for (const s of spans.filter((x) => x !== step)) {
      expect(s.spanContext().traceId).toBe(step.spanContext().traceId);
      expect(s.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    }
  });

  it("marks a failed phase and its step as errors and rethrows", async () => {
    exporter.reset();
    await expect(inStepSpan(Date.now(), {}, async () => inPhaseSpan("pull", () => Promise.reject(new Error("no shard"))))).rejects.toThrow("no shard");
    const byName = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(byName["pull"]!.status.code).toBe(2);
    expect(byName["step"]!.status.code).toBe(2);
  });
});

describe("actor log lines", () => {
  it("carry the trace and span ids of the span they are written in, and none outside one", () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
    const log = pino({ mixin: traceFields }, sink);
    const span = provider.getTracer("t").startSpan("serve ps.pull");
    context.with(trace.setSpan(context.active(), span), () => log.info("inside"));
    log.info("outside");
    span.end();
    expect(lines[0]).toMatchObject({ msg: "inside", trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(lines[1]!["trace_id"]).toBeUndefined();
  });
});
