/**
 * A real HTTP server standing in for an OTLP/HTTP collector: it answers every POST with
 * 200 and records its path and body, so tests can check what the exporters sent.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpCollector {
  /** Base URL, `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly posts: { path: string; body: string }[];
  readonly server: Server;
}

/** Starts a collector on a free loopback port. */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const posts: { path: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      posts.push({ path: req.url ?? "", body: Buffer.concat(chunks).toString("latin1") });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, server };
}
