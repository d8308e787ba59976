/**
 * The dashboard's HTTP server: `GET /` the page, `GET /state` the current state as
 * JSON, `GET /events` a server-sent-event stream (one `message` per update, a final
 * `stopped` event when the cluster is gone). It serves what it is given; polling the
 * cluster is the command's job.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dashboardPage } from "./dashboard-page.js";
import type { DashboardState } from "./dashboard-state.js";

/** A running dashboard server. */
export interface DashboardServer {
  readonly url: string;
  /** Sends the state to every open page. */
  publish(state: DashboardState): void;
  /** Tells every open page the cluster has stopped. */
  stopped(): void;
  close(): Promise<void>;
}

/** Starts serving on host:port (0: a free port); `current` answers a page that connects between updates. */
export async function startDashboardServer(opts: {
  readonly host: string;
  readonly port: number;
  readonly cluster: string;
  readonly current: () => DashboardState | undefined;
}): Promise<DashboardServer> {
  const clients = new Set<ServerResponse>();
  const page = dashboardPage(opts.cluster);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end();
    } else if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page);
    } else if (path === "/state") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(opts.current() ?? null));
    } else if (path === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      const now = opts.current();
      if (now) res.write(`data: ${JSON.stringify(now)}\n\n`);
      clients.add(res);
      req.on("close", () => clients.delete(res));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => { server.off("error", reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const send = (chunk: string): void => { for (const c of clients) c.write(chunk); };
  return {
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}/`,
    publish: (state) => send(`data: ${JSON.stringify(state)}\n\n`),
    stopped: () => send("event: stopped\ndata: {}\n\n"),
    close: async () => {
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
