/**
 * The OpenTelemetry SDK side of an actor's tracing: builds the tracer provider with its
 * sampler and exporter (a JSON-lines file or OTLP/HTTP) and registers it process-wide.
 * Loaded by startTracing only when traces are on, so actors with traces off never pay
 * for the SDK's modules.
 */
import { join } from "node:path";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { JsonLinesSpanExporter } from "./json-lines-span-exporter.js";
import { otlpUrl, TraceExport, type Tracing, type TracingSettings } from "./tracing.js";

/** Registers the process-wide tracer provider, context manager and propagator for `settings` (traces on). */
export function registerTracerProvider(opts: {
  readonly settings: TracingSettings;
  readonly cluster: string;
  readonly actor: string;
  readonly kind: string;
  readonly runDir: string;
}): Tracing {
  const s = opts.settings;
  const exporter = s.traces === TraceExport.Otlp
    ? new OTLPTraceExporter({ url: otlpUrl(s.otlpEndpoint ?? "http://127.0.0.1:4318", "traces") })
    : new JsonLinesSpanExporter(join(opts.runDir, "traces", `${opts.actor}.jsonl`), opts.actor);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": `colony-${opts.kind}`, "service.instance.id": opts.actor, "colony.cluster": opts.cluster }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(s.traceSampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    enabled: true,
    shutdown: async () => {
      await provider.shutdown().catch(() => undefined);
    },
  };
}
