/**
 * Parameter conversation between workers and shards: batched pulls of rows, addressed to
 * one shard and carrying the partition-map epoch they were routed with, and checkpoint
 * requests. Gradients do not travel here: they go through the update log
 * (update-log.ts). Keys travel as two u32 tensors (table, id) so 64-bit keys
 * never pass through a lossy JS number. Row widths are not on the wire: both sides
 * derive them from the model's table dims, and the shard checks the totals.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { int, optional, str } from "./fields.js";
import { viewTensor, type WireTensor } from "./tensor.js";

/** Most keys one pull may carry. */
export const MAX_KEYS_PER_REQUEST = 1 << 20;

/**
 * Longest a worker waits for one pull attempt (a pull changes nothing, so it is retried
 * freely); a shard answers "not ready" before that. Waiting out the whole pullTimeoutMs
 * on a shard that died mid-request left workers idle 10 s after a shard kill
 * (bench/results/elasticity.md).
 */
export const PULL_ATTEMPT_MS = 3000;

export interface Pull {
  readonly v: 1;
  readonly type: "ps.pull";
  readonly epoch: number;
  /**
   * Update-log sequence the shard must have read before it answers (0: none): the
   * worker's own last push, so it never computes on rows older than its own writes.
   */
  readonly after: number;
  readonly tables: Uint32Array;
  readonly ids: Uint32Array;
}
export interface Rows {
  readonly v: 1;
  readonly type: "ps.rows";
  readonly epoch: number;
  /** Rows of the requested keys, concatenated in request order. */
  readonly rows: Float32Array;
  /**
   * Update-log stream sequence the shard had read when it gathered the rows: every
   * entry of its partitions up to it is in them. Workers measure staleness from it.
   */
  readonly position?: number;
}
export interface Checkpoint { readonly v: 1; readonly type: "ps.checkpoint"; readonly dir: string }
export interface Checkpointed {
  readonly v: 1;
  readonly type: "ps.checkpointed";
  readonly shardId: string;
  readonly parts: CheckpointPart[];
}

/** One table's rows written by one shard: its files, relative to the checkpoint directory. */
export interface CheckpointPart {
  readonly table: number;
  readonly dim: number;
  readonly stateWidth: number;
  readonly rows: number;
  readonly ids: string;
  readonly params: string;
  readonly state: string;
}

/** The wire form of Pull and Rows: tensors in place of typed arrays. */
export type PullWire = Omit<Pull, "tables" | "ids"> & { tables: WireTensor; ids: WireTensor };
export type RowsWire = Omit<Rows, "rows"> & { rows: WireTensor };

/** Reads the (tables, ids) key tensors of a message, checking they agree and fit the limit. */
export function keys(m: Record<string, unknown>): { tables: Uint32Array; ids: Uint32Array } {
  const tables = viewTensor(m["tables"], "u32", "tables");
  const ids = viewTensor(m["ids"], "u32", "ids");
  if (tables.length !== ids.length) {
    throw new ProtocolError(RejectReason.WrongShape, `tables has ${tables.length} keys but ids has ${ids.length}`);
  }
  if (tables.length > MAX_KEYS_PER_REQUEST) {
    throw new ProtocolError(RejectReason.Oversized, `${tables.length} keys exceed the limit of ${MAX_KEYS_PER_REQUEST}`);
  }
  return { tables, ids };
}

export const validatePull = (m: Record<string, unknown>): Pull => ({
  v: 1, type: "ps.pull", epoch: int(m, "epoch"), after: optional(m, "after", int) ?? 0, ...keys(m),
});
export const validateRows = (m: Record<string, unknown>): Rows => ({
  v: 1, type: "ps.rows", epoch: int(m, "epoch"), rows: viewTensor(m["rows"], "f32", "rows"), position: optional(m, "position", int),
});
export const validateCheckpoint = (m: Record<string, unknown>): Checkpoint => ({
  v: 1, type: "ps.checkpoint", dir: str(m, "dir", 4096),
});
export function validateCheckpointed(m: Record<string, unknown>): Checkpointed {
  const t = m["parts"];
  if (!Array.isArray(t) || t.length > 1 << 16) throw new ProtocolError(RejectReason.InvalidField, "parts: expected an array");
  return {
    v: 1,
    type: "ps.checkpointed",
    shardId: str(m, "shardId", 64),
    parts: t.map((e: unknown) => {
      const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
      return {
        table: int(o, "table"), dim: int(o, "dim", 1, 1 << 20), stateWidth: int(o, "stateWidth", 0, 1 << 21), rows: int(o, "rows"),
        ids: str(o, "ids", 1024), params: str(o, "params", 1024), state: str(o, "state", 1024),
      };
    }),
  };
}
