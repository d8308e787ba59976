/**
 * Moving a partition between shards (DESIGN idea 1 applied to placement): ownership is
 * itself an entry of the update log. The coordinator appends a `log.map` entry with the
 * new owners; every shard meets it at the same stream sequence S among the gradient
 * entries, so "who applies partition p's entry at sequence n" has one answer for every
 * reader: the owner named by the last `log.map` before n. The old owner stops applying p
 * at S and hands its state over as a PartitionHandoff (rows, optimizer state, its ledger
 * of p, and in sync mode the entries of p it holds for an uncommitted step); the new
 * owner loads it before it reads past S. Pushes that arrive while p moves are entries
 * after S: the new owner applies them, once.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { int, records, str, strings } from "./fields.js";
import { viewTensor, type WireTensor } from "./tensor.js";

/** A log entry that sets the owner of every partition from its stream sequence on. */
export interface LogMapChange {
  readonly v: 1;
  readonly type: "log.map";
  readonly partitions: number;
  /** owners[p]: the shard that applies partition p's entries after this one. */
  readonly owners: readonly string[];
  /** Why the owners changed (the rebalancer's decision, a scale event): for logs and audits. */
  readonly reason: string;
}

/**
 * One table's rows as flat arrays: ids, params (dim per row), optimizer state
 * (stateWidth per row). The form rows take in a handoff, and between a shard's store and
 * the files of a checkpoint or snapshot (train/checkpoint re-exports it).
 */
export interface TableRows {
  readonly table: number;
  readonly dim: number;
  readonly stateWidth: number;
  readonly ids: Uint32Array;
  readonly params: Float32Array;
  readonly state: Float32Array;
}

/** Everything a partition's new owner needs to continue exactly where the old one stopped. */
export interface PartitionHandoff {
  readonly v: 1;
  readonly type: "ps.handoff";
  readonly partition: number;
  /** Stream sequence of the `log.map` entry that moved it: the state is as of just before it. */
  readonly atSeq: number;
  readonly from: string;
  readonly to: string;
  readonly tables: TableRows[];
  /** The old owner's ledger of the partition: last applied stream sequence, and per producer the highest seq applied. */
  readonly applied: number;
  readonly producers: [string, number][];
  /** Sync mode: encoded `log.update` entries of the partition held for steps not committed yet. */
  readonly held: Uint8Array[];
}

/** Wire form of a handoff: tensors in place of typed arrays. */
export type PartitionHandoffWire = Omit<PartitionHandoff, "tables"> & {
  tables: { table: number; dim: number; stateWidth: number; ids: WireTensor; params: WireTensor; state: WireTensor }[];
};

/** Object-store name of the handoff of `partition` at stream sequence `atSeq`. */
export const handoffName = (partition: number, atSeq: number): string => `p${partition}-s${atSeq}`;

export function validateLogMapChange(m: Record<string, unknown>): LogMapChange {
  const partitions = int(m, "partitions", 1, 1 << 16);
  const owners = strings(m, "owners", 1 << 16);
  if (owners.length !== partitions) {
    throw new ProtocolError(RejectReason.WrongShape, `owners has ${owners.length} entries for ${partitions} partitions`);
  }
  return { v: 1, type: "log.map", partitions, owners, reason: str(m, "reason", 1024) };
}

export function validatePartitionHandoff(m: Record<string, unknown>): PartitionHandoff {
  const tables = records(m, "tables", 4096, (t) => {
    const dim = int(t, "dim", 1, 1 << 20);
    const stateWidth = int(t, "stateWidth", 0, 1 << 20);
    const ids = viewTensor(t["ids"], "u32", "ids");
    const params = viewTensor(t["params"], "f32", "params");
    const state = viewTensor(t["state"], "f32", "state");
    if (params.length !== ids.length * dim || state.length !== ids.length * stateWidth) {
      throw new ProtocolError(RejectReason.WrongShape, `table ${String(t["table"])}: ${ids.length} rows need ${ids.length * dim} params and ${ids.length * stateWidth} state floats`);
    }
    return { table: int(t, "table"), dim, stateWidth, ids, params, state };
  });
  const producers = m["producers"];
  if (!Array.isArray(producers) || !producers.every((p) => Array.isArray(p) && typeof p[0] === "string" && Number.isInteger(p[1]))) {
    throw new ProtocolError(RejectReason.InvalidField, "producers: expected an array of [producer, seq] pairs");
  }
  const held = m["held"];
  if (!Array.isArray(held) || !held.every((h) => h instanceof Uint8Array)) {
    throw new ProtocolError(RejectReason.InvalidField, "held: expected an array of encoded log entries");
  }
  return {
    v: 1, type: "ps.handoff", partition: int(m, "partition", 0, 1 << 16), atSeq: int(m, "atSeq", 1),
    from: str(m, "from", 64), to: str(m, "to", 64), tables,
    applied: int(m, "applied"), producers: producers as [string, number][], held: held as Uint8Array[],
  };
}
