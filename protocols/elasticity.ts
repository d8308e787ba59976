/**
 * Elasticity conversation: an operator changes the desired number of workers, asks for
 * the cluster's status, or ends the job early; a leaving worker gives its task back.
 * Desired counts are recorded by the coordinator (JetStream KV); supervisors converge to them.
 */
import { bool, int, num, obj, optional, records, str, strings } from "./fields.js";
import type { Progress } from "./job.js";
import { validateProgress } from "./job.js";

export interface Scale { readonly v: 1; readonly type: "ctl.scale"; readonly workers: number }
export interface Scaled {
  readonly v: 1;
  readonly type: "ctl.scaled";
  readonly accepted: boolean;
  /** Desired worker count now recorded. */
  readonly workers: number;
  readonly reason?: string;
}
/** End the job now: checkpoint what has been learned and report done. */
export interface Finish { readonly v: 1; readonly type: "ctl.finish"; readonly reason: string }
export interface Finished { readonly v: 1; readonly type: "ctl.finished"; readonly accepted: boolean; readonly reason?: string }
export interface TaskRelease {
  readonly v: 1;
  readonly type: "task.release";
  readonly workerId: string;
  readonly leaseId: string;
  /** Rows of the task already trained; they will be trained again by whoever takes it. */
  readonly rows: number;
}
export interface TaskReleased { readonly v: 1; readonly type: "task.released"; readonly accepted: boolean }

export interface StatusRequest { readonly v: 1; readonly type: "ctl.status" }
/** One actor as the root supervisor sees it. */
export interface MemberStatus {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly pid: number;
  readonly host: string;
  /** Milliseconds since its last heartbeat (-1: none yet). */
  readonly silentMs: number;
  readonly restarts: number;
  readonly counters: Record<string, number>;
}
/** One shard's load as its latest report gives it (sums over the partitions it reported). */
export interface ShardLoadStatus {
  readonly shardId: string;
  readonly pullRowsPerSec: number;
  readonly pushRowsPerSec: number;
  readonly bytesPerSec: number;
  readonly partitions: number;
  readonly reportAgeMs: number;
  /** Its hottest keys, hottest first (accesses per second). */
  readonly hotKeys: { readonly table: number; readonly id: number; readonly partition: number; readonly rate: number }[];
}
/** One agent (`colony agent`) as the root supervisor sees it. */
export interface AgentStatus {
  readonly id: string;
  readonly pid: number;
  /** `live`, or `lost` (no heartbeat for the heartbeat timeout; its workers were placed elsewhere). */
  readonly state: string;
  /** Workers placed on it. */
  readonly workers: string[];
  readonly capacity: number;
  /** Milliseconds since its last heartbeat. */
  readonly silentMs: number;
}
export interface StatusReply {
  readonly v: 1;
  readonly type: "ctl.status.reply";
  readonly cluster: string;
  readonly natsUrl: string;
  readonly runDir: string;
  readonly supervisorPid: number;
  readonly uptimeMs: number;
  readonly desiredWorkers: number;
  readonly members: MemberStatus[];
  readonly progress?: Progress;
  /** Partitions each shard owns in the current map, and the map's epoch. */
  readonly partitions: Record<string, number>;
  readonly mapEpoch: number;
  readonly restarts: number;
  readonly events: string[];
  /** Shard load from the shards' latest `ps.load` reports; absent before any arrived. */
  readonly shardLoad?: ShardLoadStatus[];
  /** Agents that joined (`colony agent`); absent when none did. */
  readonly agents?: AgentStatus[];
}

export const validateScale = (m: Record<string, unknown>): Scale => ({ v: 1, type: "ctl.scale", workers: int(m, "workers", 0, 256) });
export const validateScaled = (m: Record<string, unknown>): Scaled => ({
  v: 1, type: "ctl.scaled", accepted: bool(m, "accepted"), workers: int(m, "workers", 0, 256), reason: optional(m, "reason", str),
});
export const validateFinish = (m: Record<string, unknown>): Finish => ({ v: 1, type: "ctl.finish", reason: str(m, "reason") });
export const validateFinished = (m: Record<string, unknown>): Finished => ({
  v: 1, type: "ctl.finished", accepted: bool(m, "accepted"), reason: optional(m, "reason", str),
});
export const validateTaskRelease = (m: Record<string, unknown>): TaskRelease => ({
  v: 1, type: "task.release", workerId: str(m, "workerId", 64), leaseId: str(m, "leaseId", 128), rows: int(m, "rows"),
});
export const validateTaskReleased = (m: Record<string, unknown>): TaskReleased => ({
  v: 1, type: "task.released", accepted: bool(m, "accepted"),
});
export const validateStatusRequest = (_m: Record<string, unknown>): StatusRequest => ({ v: 1, type: "ctl.status" });

function member(o: Record<string, unknown>): MemberStatus {
  const counters = obj(o, "counters");
  return {
    id: str(o, "id", 64), kind: str(o, "kind", 32), state: str(o, "state", 256), pid: int(o, "pid", -1, 2 ** 31),
    host: str(o, "host", 255), silentMs: int(o, "silentMs", -1), restarts: int(o, "restarts"),
    counters: Object.fromEntries(Object.entries(counters).filter(([, v]) => typeof v === "number")) as Record<string, number>,
  };
}

export function validateStatusReply(m: Record<string, unknown>): StatusReply {
  const members = m["members"];
  const parts = obj(m, "partitions");
  return {
    v: 1,
    type: "ctl.status.reply",
    cluster: str(m, "cluster", 64),
    natsUrl: str(m, "natsUrl", 1024),
    runDir: str(m, "runDir", 4096),
    supervisorPid: int(m, "supervisorPid"),
    uptimeMs: int(m, "uptimeMs"),
    desiredWorkers: int(m, "desiredWorkers", 0, 256),
    members: Array.isArray(members) ? members.map((x) => member((x ?? {}) as Record<string, unknown>)) : [],
    progress: optional(m, "progress", (o, k) => validateProgress({ ...obj(o, k), v: 1, type: "job.progress" })),
    partitions: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, typeof v === "number" ? v : 0])),
    mapEpoch: int(m, "mapEpoch"),
    restarts: int(m, "restarts"),
    events: strings(m, "events", 256, 4096),
    shardLoad: optional(m, "shardLoad", (o, k) => records(o, k, 4096, shardLoadStatus)),
    agents: optional(m, "agents", (o, k) => records(o, k, 1024, agentStatus)),
  };
}

function agentStatus(o: Record<string, unknown>): AgentStatus {
  return {
    id: str(o, "id", 64), pid: int(o, "pid", -1, 2 ** 31), state: str(o, "state", 32), workers: strings(o, "workers", 256, 64),
    capacity: int(o, "capacity", 0, 256), silentMs: int(o, "silentMs", -1),
  };
}

function shardLoadStatus(o: Record<string, unknown>): ShardLoadStatus {
  return {
    shardId: str(o, "shardId", 64), pullRowsPerSec: num(o, "pullRowsPerSec"), pushRowsPerSec: num(o, "pushRowsPerSec"),
    bytesPerSec: num(o, "bytesPerSec"), partitions: int(o, "partitions"), reportAgeMs: int(o, "reportAgeMs", -1),
    hotKeys: records(o, "hotKeys", 64, (k) => ({ table: int(k, "table", 0, 0xffff_ffff), id: int(k, "id", 0, 0xffff_ffff), partition: int(k, "partition"), rate: num(k, "rate") })),
  };
}

