/**
 * The update log (DESIGN idea 1): every gradient push is an entry appended to a
 * JetStream stream, one subject per partition. A partition's parameters are a snapshot
 * plus the ordered replay of its entries after the snapshot's stream sequence.
 *
 * An entry is identified twice: by its `Nats-Msg-Id` (logMsgId), which makes the server
 * drop a retried append inside its dedupe window, and by (producer, seq) inside the
 * partition, which the shards record so an append retried after that window is still
 * applied once.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { int, obj, optional, str } from "./fields.js";
import { keys } from "./params.js";
import { firstNonFinite, viewTensor, type WireTensor } from "./tensor.js";

export interface LogUpdate {
  readonly v: 1;
  readonly type: "log.update";
  /** The worker incarnation that computed it, and its push counter: (producer, seq) is unique. */
  readonly producer: string;
  readonly seq: number;
  /** The partition whose log holds it; every key hashes into it. */
  readonly partition: number;
  readonly tables: Uint32Array;
  readonly ids: Uint32Array;
  /** Gradients of the keys' rows, concatenated in key order. */
  readonly grads: Float32Array;
  /** Sync mode: the step and micro-batch it belongs to (applied only at that step's commit). */
  readonly step?: number;
  readonly micro?: number;
  /** Which of the micro-batch's entries for this partition (more than one only past the payload limit). */
  readonly part?: number;
  /** The data rows whose gradient this is: what the chaos checkers count as trained. */
  readonly batch?: BatchOrigin;
}

/**
 * Where an entry's gradient came from: rows [row, row + rows) of the data file, in task
 * `task` of pass `epoch`. Every entry of one batch carries the same origin.
 */
export interface BatchOrigin {
  readonly epoch: number;
  readonly task: number;
  readonly row: number;
  readonly rows: number;
}

/**
 * Sync mode: the coordinator's mark that every micro-batch of `step` is in the log.
 * Published on its own subject of the log stream, so every shard meets it at the same
 * place among the entries.
 */
export interface LogCommit {
  readonly v: 1;
  readonly type: "log.commit";
  readonly step: number;
  readonly micros: number;
}

/** The `Nats-Msg-Id` of a sync entry: (job, step, micro, partition), the same whichever worker computed it. */
export const syncMsgId = (jobId: string, step: number, micro: number, partition: number): string => `${jobId}:s${step}:m${micro}:${partition}`;

/** The `Nats-Msg-Id` of a step's commit. */
export const commitMsgId = (jobId: string, step: number): string => `${jobId}:commit:${step}`;

export const validateLogCommit = (m: Record<string, unknown>): LogCommit => ({
  v: 1, type: "log.commit", step: int(m, "step"), micros: int(m, "micros", 1, 1 << 16),
});

/** The wire form of LogUpdate: tensors in place of typed arrays. */
export type LogUpdateWire = Omit<LogUpdate, "tables" | "ids" | "grads"> & { tables: WireTensor; ids: WireTensor; grads: WireTensor };

/** The `Nats-Msg-Id` of an entry: (producer, seq, partition), stable across retries. */
export const logMsgId = (producer: string, seq: number, partition: number): string => `${producer}:${seq}:${partition}`;

export function validateLogUpdate(m: Record<string, unknown>): LogUpdate {
  const grads = viewTensor(m["grads"], "f32", "grads");
  const bad = firstNonFinite(grads);
  if (bad >= 0) {
    throw new ProtocolError(RejectReason.NonFinite, `grads[${bad}] is ${grads[bad]}; a diverged worker must not poison the parameters`);
  }
  return {
    v: 1,
    type: "log.update",
    producer: str(m, "producer", 64),
    seq: int(m, "seq"),
    partition: int(m, "partition", 0, 1 << 16),
    ...keys(m),
    grads,
    step: optional(m, "step", int),
    micro: optional(m, "micro", int),
    part: optional(m, "part", int),
    batch: optional(m, "batch", batchOrigin),
  };
}

function batchOrigin(m: Record<string, unknown>, key: string): BatchOrigin {
  const b = obj(m, key);
  return { epoch: int(b, "epoch"), task: int(b, "task"), row: int(b, "row"), rows: int(b, "rows", 1, 1 << 24) };
}
