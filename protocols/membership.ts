/**
 * Membership conversation: actors join the coordinator, send heartbeats with their
 * state and counters, answer inspection requests, and stop when told.
 */
import { bool, counters, int, obj, oneOf, optional, str, strings } from "./fields.js";

export const ActorKind = {
  Coordinator: "coordinator",
  Shard: "shard",
  Worker: "worker",
  Gpu: "gpu",
  Supervisor: "supervisor",
} as const;
export type ActorKind = (typeof ActorKind)[keyof typeof ActorKind];
const actorKinds = Object.values(ActorKind);

/** Who an actor is and where it runs. */
export interface ActorRef {
  readonly id: string;
  readonly kind: ActorKind;
  readonly pid: number;
  readonly host: string;
}

export interface Join { readonly v: 1; readonly type: "ctl.join"; readonly actor: ActorRef }
export interface Joined { readonly v: 1; readonly type: "ctl.joined"; readonly accepted: boolean; readonly reason?: string }
export interface Heartbeat {
  readonly v: 1;
  readonly type: "ctl.heartbeat";
  readonly actor: ActorRef;
  /** The actor machine's current state value, as a dotted path. */
  readonly state: string;
  readonly counters: Record<string, number>;
  /** Task lease the sender holds, so the coordinator can extend it. */
  readonly leaseId?: string;
}
export interface Stop { readonly v: 1; readonly type: "ctl.stop"; readonly reason: string }
export interface Inspect { readonly v: 1; readonly type: "ctl.inspect" }
export interface Inspected {
  readonly v: 1;
  readonly type: "ctl.inspected";
  readonly actor: ActorRef;
  readonly state: string;
  readonly counters: Record<string, number>;
  /** Every subject the actor listens on. */
  readonly subjects: string[];
}

const ID = /^[a-z][a-z0-9-]{0,63}$/;

function actorRef(m: Record<string, unknown>, key: string): ActorRef {
  const a = obj(m, key);
  const id = str(a, "id", 64);
  if (!ID.test(id)) throw new TypeError(`${key}.id must match ${ID}`);
  return { id, kind: oneOf(a, "kind", actorKinds), pid: int(a, "pid", 0, 2 ** 31), host: str(a, "host", 255) };
}

export const validateJoin = (m: Record<string, unknown>): Join => ({ v: 1, type: "ctl.join", actor: actorRef(m, "actor") });
export const validateJoined = (m: Record<string, unknown>): Joined => ({
  v: 1, type: "ctl.joined", accepted: bool(m, "accepted"), reason: optional(m, "reason", str),
});
export const validateHeartbeat = (m: Record<string, unknown>): Heartbeat => ({
  v: 1,
  type: "ctl.heartbeat",
  actor: actorRef(m, "actor"),
  state: str(m, "state", 256),
  counters: counters(m, "counters"),
  leaseId: optional(m, "leaseId", (o, k) => str(o, k, 128)),
});
export const validateStop = (m: Record<string, unknown>): Stop => ({ v: 1, type: "ctl.stop", reason: str(m, "reason") });
export const validateInspect = (_m: Record<string, unknown>): Inspect => ({ v: 1, type: "ctl.inspect" });
export const validateInspected = (m: Record<string, unknown>): Inspected => ({
  v: 1,
  type: "ctl.inspected",
  actor: actorRef(m, "actor"),
  state: str(m, "state", 256),
  counters: counters(m, "counters"),
  subjects: strings(m, "subjects"),
});
