/**
 * The partition map: keys (table, id) hash into P partitions, and a versioned map
 * assigns each partition to a shard. The map lives in JetStream KV; its epoch orders
 * versions, and every pull and push carries the epoch it was routed with.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { int, optional, str, strings } from "./fields.js";

export interface PartitionMap {
  readonly v: 1;
  readonly type: "map";
  readonly epoch: number;
  /** The job it was published for: a map left by an earlier job on the same server is not used. */
  readonly jobId: string;
  readonly partitions: number;
  /** owners[p] is the id of the shard that owns partition p. */
  readonly owners: readonly string[];
  /**
   * Stream sequence of the `log.map` entry that set these owners in the update log: a
   * shard serves under this map only once it has read the log that far. Absent on a map
   * with no such entry (before any was written).
   */
  readonly logSeq?: number;
}

/** Partition of key (table, id) among `partitions`; stable across processes and versions. */
export function partitionOf(table: number, id: number, partitions: number): number {
  // murmur3's fmix32 over both halves: ids are often small or sequential, so a plain
  // modulo would pile neighbouring ids of a table onto neighbouring partitions.
  let h = Math.imul(table ^ 0x9e3779b9, 0x85ebca6b) ^ id;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % partitions;
}

/** A map that spreads partitions round-robin over the given shards. */
export function roundRobinMap(epoch: number, partitions: number, shards: readonly string[], jobId: string): PartitionMap {
  if (shards.length === 0) throw new RangeError("a partition map needs at least one shard");
  return { v: 1, type: "map", epoch, jobId, partitions, owners: Array.from({ length: partitions }, (_, p) => shards[p % shards.length]!) };
}

/** Partitions that a shard owns in a map. */
export function partitionsOwnedBy(map: PartitionMap, shardId: string): number[] {
  const out: number[] = [];
  map.owners.forEach((o, p) => { if (o === shardId) out.push(p); });
  return out;
}

export function validatePartitionMap(m: Record<string, unknown>): PartitionMap {
  const partitions = int(m, "partitions", 1, 1 << 16);
  const owners = strings(m, "owners", 1 << 16);
  if (owners.length !== partitions) {
    throw new ProtocolError(RejectReason.WrongShape, `owners has ${owners.length} entries for ${partitions} partitions`);
  }
  const logSeq = optional(m, "logSeq", int);
  return { v: 1, type: "map", epoch: int(m, "epoch"), jobId: str(m, "jobId", 64), partitions, owners, ...(logSeq !== undefined ? { logSeq } : {}) };
}
