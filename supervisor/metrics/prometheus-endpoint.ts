/**
 * The root supervisor's Prometheus scrape endpoint: an OpenTelemetry MeterProvider whose
 * reader is the Prometheus exporter, fed by the status board (status-instruments.ts) and
 * the heartbeat histograms, served at `GET /metrics` on its own HTTP server. The server
 * is ours, not the exporter's, so port 0 can mean "a free port" and the caller learns
 * which one it got.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { StatusReply } from "../../protocols/index.js";
import { TerminalError } from "../../protocols/index.js";
import { HeartbeatHistograms } from "./heartbeat-histograms.js";
import { registerStatusInstruments } from "./status-instruments.js";

/** A running scrape endpoint. */
export interface PrometheusEndpoint {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops serving and shuts the meter provider down. */
  close(): Promise<void>;
}

/** The endpoint could not listen (port taken, address not local): pick another port or host. */
export class MetricsEndpointError extends TerminalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("metrics.listen_failed", message, options);
  }
}

/** Starts serving the cluster's metrics; resolves once the port is bound. */
export async function startPrometheusEndpoint(opts: {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly cluster: string;
  /** The status snapshot metrics are read from, once per scrape. */
  readonly status: () => StatusReply;
}): Promise<PrometheusEndpoint> {
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [new HeartbeatHistograms(opts.status)],
    withoutScopeInfo: true,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "colony-supervisor", "colony.cluster": opts.cluster }),
    readers: [exporter],
  });
  registerStatusInstruments(provider.getMeter("colony.status"), opts.status);

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: scrape GET /metrics\n");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await provider.shutdown().catch(() => undefined);
    throw new MetricsEndpointError(
      `cannot serve metrics on ${opts.host}:${opts.port} (${(err as Error).message}); set observability.prometheusPort to a free port, or 0 for any`,
      { cause: err },
    );
  }
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provider.shutdown().catch(() => undefined);
    },
  };
}
