/**
 * OpenTelemetry tracing of one actor process. When the config turns traces on, it
 * registers the process-wide tracer provider (steps sampled at
 * `observability.traceSampleRatio`, children following their parent's decision), an
 * AsyncLocalStorage context manager (so a span stays active across awaits) and the W3C
 * propagator (trace context rides in NATS headers, see trace-headers.ts). When traces
 * are off nothing is registered and every span call is the API's no-op.
 *
 * The SDK (provider, exporters) lives in tracing-provider.ts and loads only when traces
 * are on: loading it took ~0.3 s of every actor's start (bench/results/elasticity.md).
 */
import { trace, type Tracer } from "@opentelemetry/api";

/** Where spans go: nowhere, `RUN/traces/<actor>.jsonl`, or an OTLP/HTTP collector. */
export const TraceExport = { Off: "off", File: "file", Otlp: "otlp" } as const;
export type TraceExport = (typeof TraceExport)[keyof typeof TraceExport];

/** The tracing part of the cluster config. */
export interface TracingSettings {
  readonly traces: TraceExport;
  /** Fraction of root spans (training steps, leases) recorded, 0..1. */
  readonly traceSampleRatio: number;
  /** OTLP/HTTP collector base URL; required for otlp. */
  readonly otlpEndpoint?: string;
}

/** The OTLP/HTTP URL of a signal under a collector's base URL (`http://c:4318` → `http://c:4318/v1/traces`). */
export function otlpUrl(endpoint: string, signal: "traces" | "metrics"): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/${signal}`;
}

/** The name every Colony span is recorded under. */
export const TRACER_NAME = "colony";

/** Colony's tracer (the no-op tracer until startTracing registers a provider). */
export function colonyTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A started tracing setup; `shutdown` flushes spans still buffered. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/** Starts tracing for this process as `settings` say (off when absent); loads the SDK only when on. */
export async function startTracing(opts: {
  readonly settings: TracingSettings | undefined;
  readonly cluster: string;
  readonly actor: string;
  readonly kind: string;
  readonly runDir: string;
}): Promise<Tracing> {
  const s = opts.settings;
  if (!s || s.traces === TraceExport.Off || s.traceSampleRatio <= 0) return { enabled: false, shutdown: async () => undefined };
  const { registerTracerProvider } = await import("./tracing-provider.js");
  return registerTracerProvider({ ...opts, settings: s });
}
