/**
 * The cluster's metrics in the root supervisor: one OpenTelemetry MeterProvider whose
 * instruments read the status board (status-instruments.ts, heartbeat-histograms.ts),
 * and up to two readers of it: the Prometheus exporter behind our own HTTP endpoint,
 * and a periodic OTLP/HTTP export to a collector. Both see the same numbers.
 */
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from "@opentelemetry/sdk-metrics";
import type { StatusReply } from "../../protocols/index.js";
import { HeartbeatHistograms } from "./heartbeat-histograms.js";
import { registerLoadInstruments, type PartitionLoadPoint } from "./load-instruments.js";
import { servePrometheus, type PrometheusEndpoint } from "./prometheus-endpoint.js";
import { registerStatusInstruments } from "./status-instruments.js";

/** Running metrics export. */
export interface ClusterMetrics {
  /** Where Prometheus scrapes, when it is served. */
  readonly prometheusUrl?: string;
  /** Stops the endpoint and flushes a last OTLP export. */
  close(): Promise<void>;
}

/** Starts the metrics exports asked for; resolves once the Prometheus port (if any) is bound. */
export async function startClusterMetrics(opts: {
  readonly cluster: string;
  /** The status snapshot metrics are read from, once per collection. */
  readonly status: () => StatusReply;
  /** Each partition's load from the shards' latest reports; none when absent. */
  readonly partitionLoad?: () => readonly PartitionLoadPoint[];
  /** Serve GET /metrics on host:port (0: a free port). */
  readonly prometheus?: { readonly host: string; readonly port: number };
  /** Push to an OTLP/HTTP metrics URL (e.g. http://collector:4318/v1/metrics) every intervalMs. */
  readonly otlp?: { readonly url: string; readonly intervalMs: number };
}): Promise<ClusterMetrics> {
  const readers: IMetricReader[] = [];
  const prometheus = opts.prometheus
    ? new PrometheusExporter({ preventServerStart: true, metricProducers: [new HeartbeatHistograms(opts.status)], withoutScopeInfo: true })
    : undefined;
  if (prometheus) readers.push(prometheus);
  if (opts.otlp) {
    readers.push(new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: opts.otlp.url }),
      exportIntervalMillis: opts.otlp.intervalMs,
      exportTimeoutMillis: Math.min(opts.otlp.intervalMs, 30_000),
      metricProducers: [new HeartbeatHistograms(opts.status)],
    }));
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "colony-supervisor", "colony.cluster": opts.cluster }),
    readers,
  });
  registerStatusInstruments(provider.getMeter("colony.status"), opts.status);
  registerLoadInstruments(provider.getMeter("colony.load"), opts.status, opts.partitionLoad ?? (() => []));
  let server: Awaited<ReturnType<typeof servePrometheus>> | undefined;
  try {
    if (prometheus && opts.prometheus) server = await servePrometheus(prometheus, opts.prometheus.host, opts.prometheus.port);
  } catch (err) {
    await provider.shutdown().catch(() => undefined);
    throw err;
  }
  return {
    prometheusUrl: server?.url,
    close: async () => {
      await server?.close();
      await provider.shutdown().catch(() => undefined);
    },
  };
}

/** Starts the cluster's metrics with only the Prometheus endpoint. */
export async function startPrometheusEndpoint(opts: {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly cluster: string;
  readonly status: () => StatusReply;
  readonly partitionLoad?: () => readonly PartitionLoadPoint[];
}): Promise<PrometheusEndpoint> {
  const metrics = await startClusterMetrics({
    cluster: opts.cluster, status: opts.status, partitionLoad: opts.partitionLoad, prometheus: { host: opts.host, port: opts.port },
  });
  return { url: metrics.prometheusUrl!, close: () => metrics.close() };
}
