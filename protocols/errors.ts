/**
 * The closed error hierarchy of Colony's wire protocol. Every error says what its
 * receiver should do: a TerminalError (bad input, protocol misuse) must not be retried;
 * a TransientError (not the owner any more, not ready yet, timed out) may be retried,
 * usually after re-routing. Match with instanceof, never on message text.
 */

/** Base of every error Colony raises on purpose. */
export class ColonyError extends Error {
  /** Stable machine-readable code, also sent on the wire. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Do not retry: the input or the use of the protocol is wrong. */
export class TerminalError extends ColonyError {}

/** Retry (after backoff or re-routing): the condition is expected to pass. */
export class TransientError extends ColonyError {}

/** Why a received message was rejected; each reason is a label of the rejection counter. */
export const RejectReason = {
  Malformed: "malformed",
  UnknownType: "unknown_type",
  UnsupportedVersion: "unsupported_version",
  InvalidField: "invalid_field",
  WrongShape: "wrong_shape",
  NonFinite: "non_finite",
  Oversized: "oversized",
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** A received message that can't be used. The receiver answers or logs it and keeps serving. */
export class ProtocolError extends TerminalError {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, message: string, options?: { cause?: unknown }) {
    super(`protocol.${reason}`, message, options);
    this.reason = reason;
  }
}

/** The shard no longer (or not yet) owns a partition: refresh the partition map and re-route. */
export class NotOwnerError extends TransientError {
  readonly partition: number;
  readonly epoch: number;
  constructor(partition: number, epoch: number, message?: string) {
    super(
      "ps.not_owner",
      message ?? `partition ${partition} is not owned here at map epoch ${epoch}; refresh the map and re-route`,
    );
    this.partition = partition;
    this.epoch = epoch;
  }
}

/** The receiver is alive but not ready to serve this request yet (joining, loading). */
export class NotReadyError extends TransientError {
  constructor(what: string) {
    super("not_ready", `${what} is not ready yet; retry shortly`);
  }
}

/** A request got no answer in time. The outcome is unknown: the request may have been applied. */
export class UnknownOutcomeError extends TransientError {
  constructor(what: string, options?: { cause?: unknown }) {
    super("unknown_outcome", `${what} got no answer in time; it may or may not have been applied`, options);
  }
}
