/**
 * An actor's NATS mailbox: subscriptions whose messages are decoded, validated and
 * handed to typed handlers. A message that can't be used is answered (when it asked
 * for a reply) with a typed error, counted under `rejected.<reason>`, logged, and
 * dropped; the actor keeps serving. Handler errors become error replies too. Bytes
 * received and answered are counted (`bytes.in`, `bytes.out`). A message whose headers
 * carry a sampled trace context is served inside a server span of that trace.
 */
import type { Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/transport-node";
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { Logger } from "pino";
import {
  decodeMessage, encodeMessage, errorReply, ProtocolError, type MessageOf, type MessageType, type Outgoing,
} from "../../protocols/index.js";
import type { Counters } from "./counters.js";
import { extractTraceContext } from "./trace-headers.js";
import { colonyTracer } from "./tracing.js";

/** What a handler returns: a reply message (sent when the request has a reply subject) or nothing. */
export type Reply = Outgoing | undefined;

export type Handler<T extends MessageType> = (msg: MessageOf<T>, headers: MsgHdrs | undefined) => Reply | Promise<Reply>;

/** The set of subscriptions of one actor. */
export class Mailbox {
  readonly #nc: NatsConnection;
  readonly #log: Logger;
  readonly #counters: Counters;
  readonly #maxBytes: number;
  readonly #subs: Subscription[] = [];
  readonly #inflight = new Set<Promise<void>>();

  constructor(opts: { nc: NatsConnection; log: Logger; counters: Counters; maxBytes: number }) {
    this.#nc = opts.nc;
    this.#log = opts.log;
    this.#counters = opts.counters;
    this.#maxBytes = opts.maxBytes;
  }

  /** Subjects this mailbox listens on. */
  get subjects(): string[] {
    return this.#subs.map((s) => s.getSubject());
  }

  /**
   * Serves `subject`: each message of an accepted type goes to `handler`.
   * Handlers of one subject start in arrival order; an async handler may overlap the next.
   */
  serve<T extends MessageType>(subject: string, accepted: readonly T[], handler: Handler<T>, opts: { queue?: string } = {}): void {
    const sub = this.#nc.subscribe(subject, {
      queue: opts.queue,
      callback: (err, msg) => {
        if (err) {
          this.#log.error({ err, subject }, "subscription failed");
          return;
        }
        this.#dispatch(subject, accepted, handler, msg);
      },
    });
    this.#subs.push(sub);
  }

  #dispatch<T extends MessageType>(subject: string, accepted: readonly T[], handler: Handler<T>, msg: Msg): void {
    this.#counters.inc("bytes.in", msg.data.byteLength);
    let decoded: MessageOf<T>;
    try {
      decoded = decodeMessage(msg.data, accepted, this.#maxBytes);
    } catch (err) {
      this.#reject(subject, msg, err);
      return;
    }
    this.#counters.inc(`served.${decoded.type}`);
    const parent = extractTraceContext(msg.headers);
    if (parent === undefined) {
      this.#handle(subject, handler, decoded, msg);
      return;
    }
    // The sender's step is traced: serve inside a span of the same trace, so nested requests and log lines join it.
    const span = colonyTracer().startSpan(`serve ${decoded.type}`, {
      kind: SpanKind.SERVER, attributes: { "messaging.system": "nats", "messaging.destination.name": subject, "messaging.message.body.size": msg.data.byteLength },
    }, parent);
    context.with(trace.setSpan(parent, span), () => this.#handle(subject, handler, decoded, msg, span));
  }

  #handle<T extends MessageType>(subject: string, handler: Handler<T>, decoded: MessageOf<T>, msg: Msg, span?: Span): void {
    const failed = (err: unknown): void => {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      this.#fail(subject, msg, err);
      span?.end();
    };
    let result: Reply | Promise<Reply>;
    try {
      result = handler(decoded, msg.headers);
    } catch (err) {
      failed(err);
      return;
    }
    if (result instanceof Promise) {
      const p = result.then((r) => { this.#respond(msg, r); span?.end(); }, failed);
      this.#inflight.add(p);
      void p.finally(() => this.#inflight.delete(p));
    } else {
      this.#respond(msg, result);
      span?.end();
    }
  }

  #respond(msg: Msg, reply: Reply): void {
    if (reply && msg.reply) this.#send(msg, encodeMessage(reply));
  }

  /** Answers a request, counting the reply's bytes. */
  #send(msg: Msg, data: Uint8Array): void {
    this.#counters.inc("bytes.out", data.byteLength);
    msg.respond(data);
  }

  #reject(subject: string, msg: Msg, err: unknown): void {
    const reason = err instanceof ProtocolError ? err.reason : "malformed";
    this.#counters.inc("rejected");
    this.#counters.inc(`rejected.${reason}`);
    this.#log.warn({ subject, reason, bytes: msg.data.byteLength, err: (err as Error).message }, "rejected message");
    if (msg.reply) this.#send(msg, encodeMessage(errorReply(err)));
  }

  #fail(subject: string, msg: Msg, err: unknown): void {
    if (err instanceof ProtocolError) {
      this.#reject(subject, msg, err);
      return;
    }
    this.#counters.inc("handler_errors");
    this.#log.warn({ subject, err }, "request failed");
    if (msg.reply) this.#send(msg, encodeMessage(errorReply(err)));
  }

  /** Stops every subscription and waits for handlers in flight. */
  async close(): Promise<void> {
    for (const s of this.#subs) s.unsubscribe();
    this.#subs.length = 0;
    await Promise.allSettled([...this.#inflight]);
  }
}
