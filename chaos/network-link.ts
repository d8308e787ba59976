/**
 * One actor's network, as a TCP proxy between it and the NATS server (the approach of
 * Shopify's Toxiproxy): the actor connects to the link's port, the link to NATS. Faults
 * act on the bytes in flight, so they need no privileges, no network namespaces and no
 * kernel qdisc (this machine's kernel has no netem):
 *
 * - partition: nothing passes either way, and the sockets stop being read, so TCP
 *   buffers fill as they would behind a dead route; on heal everything held is delivered
 *   in order (TCP's promise), unless a side gave up on the connection meanwhile;
 * - latency: every chunk is delayed by `ms`, in order;
 * - loss: TCP never shows a lost packet to the application, only its retransmission: a
 *   chunk is held back by a retransmission timeout (`stallMs`, default 200 ms) with
 *   probability `rate`, and everything behind it waits (head-of-line blocking).
 *
 * A link outlives the actor process that used it: a restarted actor with the same id
 * connects through the same link, as a process restarted on a partitioned host would.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";

interface Held { readonly chunk: Buffer; readonly due: number }

/** One direction of one connection: chunks from `src` to `dst`, in order, as the link's faults allow. */
class Pipe {
  readonly #queue: Held[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastDue = 0;

  constructor(readonly src: Socket, readonly dst: Socket, readonly link: NetworkLink) {
    src.on("data", (chunk: Buffer) => this.#push(chunk));
  }

  #push(chunk: Buffer): void {
    const delay = this.link.delayOf();
    if (delay === 0 && this.#queue.length === 0 && !this.link.partitioned) {
      this.dst.write(chunk);
      return;
    }
    const due = Math.max(this.#lastDue, Date.now() + delay);
    this.#lastDue = due;
    this.#queue.push({ chunk, due });
    this.kick();
  }

  /** Delivers what is due, and waits for the rest. */
  kick(): void {
    if (this.#timer) return;
    const now = Date.now();
    while (!this.link.partitioned && this.#queue.length > 0 && this.#queue[0]!.due <= now) this.dst.write(this.#queue.shift()!.chunk);
    if (this.link.partitioned || this.#queue.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, this.#queue[0]!.due - now);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

export class NetworkLink {
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  readonly #sockets = new Set<Socket>();
  #partitioned = false;
  #latencyMs = 0;
  #lossRate = 0;
  #stallMs = 200;
  readonly #random: () => number;

  private constructor(server: Server, readonly url: string, random: () => number) {
    this.#server = server;
    this.#random = random;
  }

  /** Opens a link on a free loopback port to the NATS server at host:port. */
  static async open(target: { host: string; port: number }, random: () => number = Math.random): Promise<NetworkLink> {
    let link: NetworkLink | undefined;
    const server = createServer((client) => link!.#accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    link = new NetworkLink(server, `nats://127.0.0.1:${port}`, random);
    return link;
  }

  get partitioned(): boolean {
    return this.#partitioned;
  }

  /** This chunk's delay: the latency, plus a retransmission stall when it is "lost". */
  delayOf(): number {
    return this.#latencyMs + (this.#lossRate > 0 && this.#random() < this.#lossRate ? this.#stallMs : 0);
  }

  /** Cuts the link both ways until heal(). */
  partition(): void {
    this.#partitioned = true;
    for (const s of this.#sockets) s.pause();
  }

  /** Adds `ms` to every chunk, both ways. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Stalls a chunk by `stallMs` with probability `rate`. */
  setLoss(rate: number, stallMs = 200): void {
    this.#lossRate = rate;
    this.#stallMs = stallMs;
  }

  /** Ends every fault; held bytes are delivered in order. */
  heal(): void {
    this.#partitioned = false;
    this.#latencyMs = 0;
    this.#lossRate = 0;
    for (const s of this.#sockets) s.resume();
    for (const p of this.#pipes) p.kick();
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const p of this.#pipes) p.close();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    const upstream = tcpConnect(target.port, target.host);
    const pair = [client, upstream];
    const pipes = [new Pipe(client, upstream, this), new Pipe(upstream, client, this)];
    for (const s of pair) {
      this.#sockets.add(s);
      s.setNoDelay(true);
      if (this.#partitioned) s.pause();
      s.on("error", () => undefined);
      s.on("close", () => {
        for (const x of pair) {
          x.destroy();
          this.#sockets.delete(x);
        }
        for (const p of pipes) {
          p.close();
          this.#pipes.delete(p);
        }
      });
    }
    for (const p of pipes) this.#pipes.add(p);
  }
}
