/**
 * Typed request/reply over NATS: encodes a message, waits for one reply of the expected
 * types, and turns error replies, silence and missing responders into typed errors.
 * Inside a sampled trace (a worker's step) each request is a client span, and its
 * trace context travels in the message headers so the receiver's span joins the trace.
 */
import { NoRespondersError, RequestError, TimeoutError, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  decodeMessage, encodeMessage, errorFromReply, NotReadyError, UnknownOutcomeError,
  type MessageOf, type MessageType, type Outgoing,
} from "../../protocols/index.js";
import { injectTraceContext, tracingActive } from "./trace-headers.js";
import { colonyTracer } from "./tracing.js";

/**
 * Sends `message` to `subject` and resolves with the validated reply.
 * Rejects with the reply's typed error, NotReadyError when nobody listens, or
 * UnknownOutcomeError on timeout (the request may still have been applied).
 */
export async function request<T extends MessageType>(
  nc: NatsConnection,
  subject: string,
  message: Outgoing,
  accepted: readonly T[],
  opts: { timeoutMs: number; headers?: MsgHdrs },
): Promise<MessageOf<T>> {
  if (!tracingActive()) return send(nc, subject, message, accepted, opts);
  const span = colonyTracer().startSpan(`request ${message.type}`, {
    kind: SpanKind.CLIENT, attributes: { "messaging.system": "nats", "messaging.destination.name": subject },
  });
  const ctx = trace.setSpan(context.active(), span);
  try {
    return await send(nc, subject, message, accepted, { ...opts, headers: injectTraceContext(opts.headers, ctx) });
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

async function send<T extends MessageType>(
  nc: NatsConnection,
  subject: string,
  message: Outgoing,
  accepted: readonly T[],
  opts: { timeoutMs: number; headers?: MsgHdrs },
): Promise<MessageOf<T>> {
  let data: Uint8Array;
  try {
    const reply = await nc.request(subject, encodeMessage(message), { timeout: opts.timeoutMs, headers: opts.headers });
    data = reply.data;
  } catch (err) {
    const cause = err instanceof RequestError ? (err.cause ?? err) : err;
    if (cause instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
      throw new NotReadyError(`nobody on ${subject}`);
    }
    if (cause instanceof TimeoutError) throw new UnknownOutcomeError(`${message.type} on ${subject}`, { cause: err });
    throw err;
  }
  const reply = decodeMessage(data, [...accepted, "error"] as (T | "error")[]);
  if (reply.type === "error") throw errorFromReply(reply as MessageOf<"error">);
  return reply as MessageOf<T>;
}
