/**
 * The root supervisor's Prometheus scrape endpoint: the Prometheus exporter of the
 * cluster's MeterProvider (cluster-metrics.ts) served at `GET /metrics` on our own
 * HTTP server, so port 0 can mean "a free port" and the caller learns which one it got.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { TerminalError } from "../../protocols/index.js";

/** A running scrape endpoint. */
export interface PrometheusEndpoint {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops serving (from startPrometheusEndpoint: and shuts its meter provider down). */
  close(): Promise<void>;
}

/** The endpoint could not listen (port taken, address not local): pick another port or host. */
export class MetricsEndpointError extends TerminalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("metrics.listen_failed", message, options);
  }
}

/** Serves `exporter` at GET /metrics on host:port; resolves once the port is bound. */
export async function servePrometheus(exporter: PrometheusExporter, host: string, port: number): Promise<PrometheusEndpoint> {
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
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    throw new MetricsEndpointError(
      `cannot serve metrics on ${host}:${port} (${(err as Error).message}); set observability.prometheusPort to a free port, or 0 for any`,
      { cause: err },
    );
  }
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/metrics`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
