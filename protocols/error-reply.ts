/**
 * The reply a receiver sends instead of an answer when it rejects a request, and its
 * mapping back to a typed error on the requester's side.
 */
import { ColonyError, NotOwnerError, NotReadyError, ProtocolError, RejectReason, TerminalError, TransientError } from "./errors.js";
import { bool, int, optional, str } from "./fields.js";

export interface ErrorReply {
  readonly v: 1;
  readonly type: "error";
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly partition?: number;
  readonly epoch?: number;
}

export const validateErrorReply = (m: Record<string, unknown>): ErrorReply => ({
  v: 1,
  type: "error",
  code: str(m, "code", 128),
  message: str(m, "message", 8192),
  retryable: bool(m, "retryable"),
  partition: optional(m, "partition", int),
  epoch: optional(m, "epoch", int),
});

/** The error reply that describes an error caught while serving a request. */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof NotOwnerError) {
    return { v: 1, type: "error", code: err.code, message: err.message, retryable: true, partition: err.partition, epoch: err.epoch };
  }
  if (err instanceof ColonyError) {
    return { v: 1, type: "error", code: err.code, message: err.message, retryable: err instanceof TransientError };
  }
  return { v: 1, type: "error", code: "internal", message: String((err as Error)?.message ?? err), retryable: true };
}

/** The typed error an error reply stands for, to throw on the requester's side. */
export function errorFromReply(r: ErrorReply): ColonyError {
  if (r.code === "ps.not_owner") return new NotOwnerError(r.partition ?? -1, r.epoch ?? -1, r.message);
  if (r.code === "not_ready") return new NotReadyError(r.message);
  if (r.code.startsWith("protocol.")) {
    const reason = r.code.slice("protocol.".length) as RejectReason;
    return new ProtocolError(Object.values(RejectReason).includes(reason) ? reason : RejectReason.Malformed, r.message);
  }
  return r.retryable ? new TransientError(r.code, r.message) : new TerminalError(r.code, r.message);
}
