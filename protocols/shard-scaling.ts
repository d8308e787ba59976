/**
 * Scaling the parameter shards of a running job (`colony scale shards=N`). The
 * coordinator answers: growing, it records the new count (supervisors start the new
 * shards) and moves partitions onto them once they serve; shrinking, it first moves
 * every partition off the leaving shards (highest-numbered) and waits until their
 * handoffs are stored, then records the count (supervisors stop them).
 */
import { bool, int, optional, str } from "./fields.js";

/** Most shards a job may have. */
export const MAX_SHARDS = 64;

export interface ShardScale { readonly v: 1; readonly type: "ctl.scale.shards"; readonly shards: number }

export interface ShardScaled {
  readonly v: 1;
  readonly type: "ctl.scaled.shards";
  readonly accepted: boolean;
  /** Desired shard count now recorded. */
  readonly shards: number;
  /** Partitions moved off leaving shards before they were stopped (shrinking). */
  readonly drained?: number;
  readonly reason?: string;
}

export const validateShardScale = (m: Record<string, unknown>): ShardScale => ({ v: 1, type: "ctl.scale.shards", shards: int(m, "shards", 1, MAX_SHARDS) });

export const validateShardScaled = (m: Record<string, unknown>): ShardScaled => ({
  v: 1, type: "ctl.scaled.shards", accepted: bool(m, "accepted"), shards: int(m, "shards", 0, MAX_SHARDS),
  drained: optional(m, "drained", int), reason: optional(m, "reason", (o, k) => str(o, k, 1024)),
});
