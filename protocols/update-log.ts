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
import { int, str } from "./fields.js";
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
}

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
  };
}
