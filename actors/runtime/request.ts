/**
 * Typed request/reply over NATS: encodes a message, waits for one reply of the expected
 * types, and turns error replies, silence and missing responders into typed errors.
 */
import { NoRespondersError, RequestError, TimeoutError, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import {
  decodeMessage, encodeMessage, errorFromReply, NotReadyError, UnknownOutcomeError,
  type MessageOf, type MessageType, type Outgoing,
} from "../../protocols/index.js";

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
