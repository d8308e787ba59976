/**
 * The msgpack codec and its envelope `{ v, type, ... }`. Decoding is bounded (no
 * string, bin, array or map may exceed the protocol's limits) and never trusts its
 * input: anything that is not a well-formed envelope becomes a ProtocolError.
 * Validation of the fields of each message type lives with the message (messages.ts).
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { ProtocolError, RejectReason } from "./errors.js";

/** Version of the wire protocol this build speaks. */
export const PROTOCOL_VERSION = 1;

/** Hard upper bound of one message, whatever the server allows. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The fields every message carries. */
export interface Envelope {
  readonly v: number;
  readonly type: string;
}

const encoder = new Encoder({ ignoreUndefined: true, initialBufferSize: 64 * 1024 });
const decoder = new Decoder({
  maxStrLength: 64 * 1024,
  maxBinLength: MAX_MESSAGE_BYTES,
  maxArrayLength: 1 << 20,
  maxMapLength: 256,
  maxExtLength: 0,
});

/** Encodes a message. The returned bytes are a fresh copy the caller may keep. */
export function encode(message: Envelope): Uint8Array {
  return encoder.encode(message);
}

/**
 * Decodes bytes into an envelope whose `type` is one of `accepted`.
 * Throws ProtocolError for oversized, malformed, unknown-type or wrong-version input.
 */
export function decodeEnvelope(bytes: Uint8Array, accepted: ReadonlySet<string>, maxBytes = MAX_MESSAGE_BYTES): Record<string, unknown> & Envelope {
  if (bytes.byteLength > maxBytes) {
    throw new ProtocolError(RejectReason.Oversized, `message of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`);
  }
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (cause) {
    throw new ProtocolError(RejectReason.Malformed, `undecodable msgpack (${(cause as Error).message})`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError(RejectReason.Malformed, "message is not a msgpack map");
  }
  const m = value as Record<string, unknown>;
  if (typeof m["type"] !== "string") {
    throw new ProtocolError(RejectReason.Malformed, "message has no string field 'type'");
  }
  if (m["v"] !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      RejectReason.UnsupportedVersion,
      `protocol version ${String(m["v"])} is not supported (this build speaks v${PROTOCOL_VERSION})`,
    );
  }
  if (!accepted.has(m["type"])) {
    throw new ProtocolError(RejectReason.UnknownType, `message type '${m["type"]}' is not accepted here`);
  }
  return m as Record<string, unknown> & Envelope;
}
