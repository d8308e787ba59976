/**
 * Agent conversation: a supervisor on another host (`colony agent`) joins a running
 * cluster, reports the worker children it runs once a second, and learns which
 * workers it should run from the placement the root supervisor records in the state
 * bucket (StateKey.Placement). The root answers joins; nothing here moves tensors.
 */
import { bool, int, obj, optional, records, str } from "./fields.js";

/** Request (to the root supervisor): an agent asks to run workers of this cluster. */
export interface AgentJoin {
  readonly v: 1;
  readonly type: "ctl.agent.join";
  readonly agentId: string;
  readonly pid: number;
  /** The most workers it will run at once. */
  readonly capacity: number;
}
/** Reply to AgentJoin: accepted with the job's resolved config (JSON), or refused with a reason. */
export interface AgentJoined {
  readonly v: 1;
  readonly type: "ctl.agent.joined";
  readonly accepted: boolean;
  readonly reason?: string;
  /** The cluster config every actor reads (RUN/config.json of the root), as JSON text. */
  readonly config?: string;
  /** How long the root waits for a heartbeat before it declares the agent lost, ms. */
  readonly heartbeatTimeoutMs?: number;
}
/** One worker child an agent runs. */
export interface AgentChild { readonly id: string; readonly pid: number; readonly restarts: number; readonly startedAt: number }
/** Publish, about once a second: an agent is alive and runs these children. */
export interface AgentHeartbeat {
  readonly v: 1;
  readonly type: "ctl.agent.heartbeat";
  readonly agentId: string;
  readonly pid: number;
  /** The agent machine's state (`running`, `fenced`, …). */
  readonly state: string;
  readonly children: AgentChild[];
}

/** Where each worker runs: host id (`root` or an agent id) → worker ids. Recorded as JSON in the state bucket. */
export interface WorkerPlacement {
  readonly jobId: string;
  /** Grows with each change; an agent ignores an older one. */
  readonly revision: number;
  readonly hosts: Record<string, string[]>;
}

/** The host id of the root supervisor's own machine in a placement. */
export const ROOT_HOST = "root";

/** Agent ids: what a worker's `host` may be; also a NATS-safe token. */
const AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` can name an agent (letters, digits, `_`, `-`; not `root`). */
export const isAgentId = (id: string): boolean => AGENT_ID.test(id) && id !== ROOT_HOST;

export const validateAgentJoin = (m: Record<string, unknown>): AgentJoin => ({
  v: 1, type: "ctl.agent.join", agentId: str(m, "agentId", 64), pid: int(m, "pid", 0, 2 ** 31), capacity: int(m, "capacity", 0, 256),
});
export const validateAgentJoined = (m: Record<string, unknown>): AgentJoined => ({
  v: 1, type: "ctl.agent.joined", accepted: bool(m, "accepted"), reason: optional(m, "reason", str),
  config: optional(m, "config", (o, k) => str(o, k, 1024 * 1024)), heartbeatTimeoutMs: optional(m, "heartbeatTimeoutMs", int),
});
export const validateAgentHeartbeat = (m: Record<string, unknown>): AgentHeartbeat => ({
  v: 1, type: "ctl.agent.heartbeat", agentId: str(m, "agentId", 64), pid: int(m, "pid", 0, 2 ** 31), state: str(m, "state", 64),
  children: records(m, "children", 256, (o) => ({
    id: str(o, "id", 64), pid: int(o, "pid", -1, 2 ** 31), restarts: int(o, "restarts"), startedAt: int(o, "startedAt"),
  })),
});

/** Reads a placement recorded as JSON; undefined when it is not one. */
export function parseWorkerPlacement(text: string): WorkerPlacement | undefined {
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    const hosts = obj(p, "hosts");
    const out: Record<string, string[]> = {};
    for (const [host, ids] of Object.entries(hosts)) {
      if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) return undefined;
      out[host] = ids as string[];
    }
    return { jobId: str(p, "jobId"), revision: int(p, "revision"), hosts: out };
  } catch {
    return undefined;
  }
}
