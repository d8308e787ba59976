/**
 * Load conversation: every shard publishes, about once a second, the decayed access
 * rates of each partition it owns and its hottest keys; the coordinator keeps the latest
 * report per shard (the rebalancer's input) and the root supervisor shows it in
 * `colony status`. An operator asks the coordinator for the plan it would run now.
 *
 * Per-partition loads travel as columns (parallel arrays), not one map per partition:
 * a report of 64 partitions stays near 3 KB.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { bool, int, num, obj, optional, records, str, strings } from "./fields.js";

/** Most partitions a report may carry (the partition map's own bound). */
export const MAX_REPORTED_PARTITIONS = 1 << 16;
/** Most hot keys a report may carry. */
export const MAX_REPORTED_HOT_KEYS = 64;

/** Decayed rates per second of the partitions a shard owns, one entry per column index. */
export interface PartitionLoadColumns {
  readonly partitions: number[];
  readonly pullRows: number[];
  readonly pullBytes: number[];
  readonly pushRows: number[];
  readonly pushBytes: number[];
}

/** One hot key: accesses (pulled plus pushed rows) per second; the true rate lies in [rate − error, rate]. */
export interface ReportedHotKey {
  readonly table: number;
  readonly id: number;
  readonly partition: number;
  readonly rate: number;
  readonly error: number;
}

export interface LoadReport {
  readonly v: 1;
  readonly type: "ps.load";
  readonly shardId: string;
  /** Epoch of the partition map the shard served when it measured. */
  readonly epoch: number;
  /** Wall-clock time of the measurement, ms since 1970. */
  readonly at: number;
  /** Half-life of every rate in the report. */
  readonly halfLifeMs: number;
  readonly load: PartitionLoadColumns;
  readonly hotKeys: ReportedHotKey[];
}

/** Ask the coordinator for the rebalance plan it would run now (nothing moves). */
export interface RebalancePlanRequest {
  readonly v: 1;
  readonly type: "ctl.rebalance.plan";
  /** Target max/mean shard load; the coordinator's default when absent. */
  readonly targetRatio?: number;
  /** Most partition moves in the plan; the coordinator's default when absent. */
  readonly maxMoves?: number;
}

/** Run one rebalance round now: plan as for the dry run, then move the planned partitions. */
export interface RebalanceRunRequest {
  readonly v: 1;
  readonly type: "ctl.rebalance.run";
  readonly targetRatio?: number;
  readonly maxMoves?: number;
}

/** One shard's load as the coordinator sees it. */
export interface ShardLoadSummary {
  readonly shardId: string;
  /** Rows pulled plus rows pushed per second, over its partitions. */
  readonly rowsPerSec: number;
  readonly bytesPerSec: number;
  readonly partitions: number;
  /** Age of its latest report, ms (-1: no report yet). */
  readonly reportAgeMs: number;
}

export interface PlannedMove {
  readonly partition: number;
  readonly from: string;
  readonly to: string;
  /** The partition's load (rows/s) that moves with it. */
  readonly load: number;
  readonly reason: string;
}

export interface RebalancePlanReply {
  readonly v: 1;
  readonly type: "ctl.rebalance.planned";
  readonly epoch: number;
  readonly targetRatio: number;
  readonly maxMoves: number;
  readonly shards: ShardLoadSummary[];
  /** max/mean shard load now and as predicted after the moves (1 when there is no load). */
  readonly ratioBefore: number;
  readonly ratioAfter: number;
  readonly moves: PlannedMove[];
  /** How the plan ended: balanced, reached, capped, stuck, dominated, no_load. */
  readonly verdict: string;
  /** One sentence an operator can act on. */
  readonly explanation: string;
  /** The hottest keys over all shards, hottest first. */
  readonly hotKeys: ReportedHotKey[];
  /** Live shards without a fresh report: their partitions count as unmeasured (load 0). */
  readonly unreported: string[];
  /** Answering a run: whether the moves were started (a new map epoch), and why not when they were not. */
  readonly executed?: boolean;
  readonly notExecuted?: string;
}

const SHARD_ID = /^[a-z][a-z0-9-]{0,63}$/;

/** A non-negative finite number field. */
function rate(m: Record<string, unknown>, key: string): number {
  const v = num(m, key);
  if (v < 0) throw new ProtocolError(RejectReason.InvalidField, `${key}: expected a rate ≥ 0, got ${v}`);
  return v;
}

/** An array field of at most maxItems numbers, each checked by `check`. */
function numbers(m: Record<string, unknown>, key: string, maxItems: number, check: (v: number) => boolean, want: string): number[] {
  const v = m[key];
  if (!Array.isArray(v) || v.length > maxItems) throw new ProtocolError(RejectReason.InvalidField, `${key}: expected an array of ≤ ${maxItems} numbers`);
  for (const x of v) {
    if (typeof x !== "number" || !check(x)) throw new ProtocolError(RejectReason.InvalidField, `${key}: every entry must be ${want}, got ${String(x)}`);
  }
  return v as number[];
}

const isRate = (x: number): boolean => Number.isFinite(x) && x >= 0;

function loadColumns(m: Record<string, unknown>): PartitionLoadColumns {
  const o = obj(m, "load");
  const partitions = numbers(o, "partitions", MAX_REPORTED_PARTITIONS, (x) => Number.isInteger(x) && x >= 0 && x < MAX_REPORTED_PARTITIONS, "a partition number");
  const columns = {
    partitions,
    pullRows: numbers(o, "pullRows", MAX_REPORTED_PARTITIONS, isRate, "a finite rate ≥ 0"),
    pullBytes: numbers(o, "pullBytes", MAX_REPORTED_PARTITIONS, isRate, "a finite rate ≥ 0"),
    pushRows: numbers(o, "pushRows", MAX_REPORTED_PARTITIONS, isRate, "a finite rate ≥ 0"),
    pushBytes: numbers(o, "pushBytes", MAX_REPORTED_PARTITIONS, isRate, "a finite rate ≥ 0"),
  };
  for (const [name, col] of Object.entries(columns)) {
    if (col.length !== partitions.length) {
      throw new ProtocolError(RejectReason.WrongShape, `load.${name} has ${col.length} entries for ${partitions.length} partitions`);
    }
  }
  if (new Set(partitions).size !== partitions.length) throw new ProtocolError(RejectReason.InvalidField, "load.partitions lists a partition twice");
  return columns;
}

function hotKey(o: Record<string, unknown>): ReportedHotKey {
  return {
    table: int(o, "table", 0, 0xffff_ffff), id: int(o, "id", 0, 0xffff_ffff), partition: int(o, "partition", 0, MAX_REPORTED_PARTITIONS - 1),
    rate: rate(o, "rate"), error: rate(o, "error"),
  };
}

const hotKeys = (m: Record<string, unknown>, key: string): ReportedHotKey[] => records(m, key, MAX_REPORTED_HOT_KEYS, hotKey);

export function validateLoadReport(m: Record<string, unknown>): LoadReport {
  const shardId = str(m, "shardId", 64);
  if (!SHARD_ID.test(shardId)) throw new ProtocolError(RejectReason.InvalidField, `shardId must match ${SHARD_ID}`);
  return {
    v: 1, type: "ps.load", shardId, epoch: int(m, "epoch"), at: int(m, "at"), halfLifeMs: int(m, "halfLifeMs", 1, 3_600_000),
    load: loadColumns(m), hotKeys: hotKeys(m, "hotKeys"),
  };
}

export const validateRebalancePlanRequest = (m: Record<string, unknown>): RebalancePlanRequest => ({
  v: 1, type: "ctl.rebalance.plan", ...planLimits(m),
});

export const validateRebalanceRunRequest = (m: Record<string, unknown>): RebalanceRunRequest => ({
  v: 1, type: "ctl.rebalance.run", ...planLimits(m),
});

const planLimits = (m: Record<string, unknown>): { targetRatio?: number; maxMoves?: number } => ({
  targetRatio: optional(m, "targetRatio", (o, k) => {
    const r = num(o, k);
    if (r < 1 || r > 100) throw new ProtocolError(RejectReason.InvalidField, `${k}: expected a ratio in [1, 100], got ${r}`);
    return r;
  }),
  maxMoves: optional(m, "maxMoves", (o, k) => int(o, k, 0, MAX_REPORTED_PARTITIONS)),
});

function shardSummary(o: Record<string, unknown>): ShardLoadSummary {
  return {
    shardId: str(o, "shardId", 64), rowsPerSec: rate(o, "rowsPerSec"), bytesPerSec: rate(o, "bytesPerSec"),
    partitions: int(o, "partitions", 0, MAX_REPORTED_PARTITIONS), reportAgeMs: int(o, "reportAgeMs", -1),
  };
}

function move(o: Record<string, unknown>): PlannedMove {
  return {
    partition: int(o, "partition", 0, MAX_REPORTED_PARTITIONS - 1), from: str(o, "from", 64), to: str(o, "to", 64),
    load: rate(o, "load"), reason: str(o, "reason", 512),
  };
}

export function validateRebalancePlanReply(m: Record<string, unknown>): RebalancePlanReply {
  return {
    v: 1, type: "ctl.rebalance.planned", epoch: int(m, "epoch"), targetRatio: num(m, "targetRatio"), maxMoves: int(m, "maxMoves"),
    shards: records(m, "shards", 4096, shardSummary), ratioBefore: num(m, "ratioBefore"), ratioAfter: num(m, "ratioAfter"),
    moves: records(m, "moves", MAX_REPORTED_PARTITIONS, move), verdict: str(m, "verdict", 32), explanation: str(m, "explanation", 1024),
    hotKeys: hotKeys(m, "hotKeys"), unreported: strings(m, "unreported", 4096, 64),
    executed: optional(m, "executed", bool), notExecuted: optional(m, "notExecuted", (o, k) => str(o, k, 1024)),
  };
}
