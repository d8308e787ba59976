/**
 * The registry of every message type: the union of all messages, and `decodeMessage`,
 * which turns bytes into one validated message of the types a receiver accepts.
 */
import { decodeEnvelope, encode, MAX_MESSAGE_BYTES } from "./codec.js";
import { validateErrorReply, type ErrorReply } from "./error-reply.js";
import { validateJobDone, validateProgress, type JobDone, type Progress } from "./job.js";
import {
  validateHeartbeat, validateInspect, validateInspected, validateJoin, validateJoined, validateStop,
  type Heartbeat, type Inspect, type Inspected, type Join, type Joined, type Stop,
} from "./membership.js";
import {
  validateCheckpoint, validateCheckpointed, validatePull, validateRows,
  type Checkpoint, type Checkpointed, type Pull, type PullWire, type Rows, type RowsWire,
} from "./params.js";
import { validateLogCommit, validateLogUpdate, type LogCommit, type LogUpdate, type LogUpdateWire } from "./update-log.js";
import { validatePartitionMap, type PartitionMap } from "./partition-map.js";
import {
  validateLogMapChange, validatePartitionHandoff, type LogMapChange, type PartitionHandoff, type PartitionHandoffWire,
} from "./partition-handoff.js";
import { ProtocolError, RejectReason } from "./errors.js";
import { validateShardScale, validateShardScaled, type ShardScale, type ShardScaled } from "./shard-scaling.js";
import {
  validateFinish, validateFinished, validateScale, validateScaled, validateStatusReply, validateStatusRequest, validateTaskRelease, validateTaskReleased,
  type Finish, type Finished, type Scale, type Scaled, type StatusReply, type StatusRequest, type TaskRelease, type TaskReleased,
} from "./elasticity.js";
import {
  validateLoadReport, validateRebalancePlanReply, validateRebalancePlanRequest, validateRebalanceRunRequest,
  type LoadReport, type RebalancePlanReply, type RebalancePlanRequest, type RebalanceRunRequest,
} from "./load-report.js";
import {
  validateAgentHeartbeat, validateAgentJoin, validateAgentJoined, type AgentHeartbeat, type AgentJoin, type AgentJoined,
} from "./agents.js";
import { validateTaskDone, validateTaskDoneAck, validateTaskLease, validateTaskLeased, type TaskDone, type TaskDoneAck, type TaskLease, type TaskLeased } from "./tasks.js";

export type Message =
  | Join | Joined | Heartbeat | Stop | Inspect | Inspected
  | TaskLease | TaskLeased | TaskDone | TaskDoneAck
  | Pull | Rows | LogUpdate | LogCommit | Checkpoint | Checkpointed
  | Progress | JobDone | ErrorReply | PartitionMap
  | Scale | Scaled | Finish | Finished | TaskRelease | TaskReleased | StatusRequest | StatusReply
  | LoadReport | RebalancePlanRequest | RebalancePlanReply | RebalanceRunRequest
  | LogMapChange | PartitionHandoff | ShardScale | ShardScaled
  | AgentJoin | AgentJoined | AgentHeartbeat;

export type MessageType = Message["type"];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

const validators: { [T in MessageType]: (m: Record<string, unknown>) => MessageOf<T> } = {
  "ctl.join": validateJoin,
  "ctl.joined": validateJoined,
  "ctl.heartbeat": validateHeartbeat,
  "ctl.stop": validateStop,
  "ctl.inspect": validateInspect,
  "ctl.inspected": validateInspected,
  "task.lease": validateTaskLease,
  "task.leased": validateTaskLeased,
  "task.done": validateTaskDone,
  "task.done.ack": validateTaskDoneAck,
  "ps.pull": validatePull,
  "ps.rows": validateRows,
  "log.update": validateLogUpdate,
  "log.commit": validateLogCommit,
  "ps.checkpoint": validateCheckpoint,
  "ps.checkpointed": validateCheckpointed,
  "job.progress": validateProgress,
  "job.done": validateJobDone,
  error: validateErrorReply,
  map: validatePartitionMap,
  "ctl.scale": validateScale,
  "ctl.scaled": validateScaled,
  "ctl.finish": validateFinish,
  "ctl.finished": validateFinished,
  "task.release": validateTaskRelease,
  "task.released": validateTaskReleased,
  "ctl.status": validateStatusRequest,
  "ctl.status.reply": validateStatusReply,
  "ps.load": validateLoadReport,
  "ctl.rebalance.plan": validateRebalancePlanRequest,
  "ctl.rebalance.planned": validateRebalancePlanReply,
  "ctl.rebalance.run": validateRebalanceRunRequest,
  "log.map": validateLogMapChange,
  "ps.handoff": validatePartitionHandoff,
  "ctl.scale.shards": validateShardScale,
  "ctl.scaled.shards": validateShardScaled,
  "ctl.agent.join": validateAgentJoin,
  "ctl.agent.joined": validateAgentJoined,
  "ctl.agent.heartbeat": validateAgentHeartbeat,
};

/** Every message type this build knows. */
export const MESSAGE_TYPES = Object.keys(validators) as MessageType[];

const sets = new Map<string, ReadonlySet<string>>();
function acceptedSet(types: readonly string[]): ReadonlySet<string> {
  const key = types.join("|");
  let s = sets.get(key);
  if (!s) sets.set(key, (s = new Set(types)));
  return s;
}

/**
 * Decodes and validates one message whose type is among `accepted`.
 * Throws ProtocolError (with a reason) for anything else; never returns unchecked data.
 */
export function decodeMessage<T extends MessageType>(bytes: Uint8Array, accepted: readonly T[], maxBytes = MAX_MESSAGE_BYTES): MessageOf<T> {
  const env = decodeEnvelope(bytes, acceptedSet(accepted), maxBytes);
  try {
    return validators[env.type as T](env);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(RejectReason.InvalidField, `${env.type}: ${(err as Error).message}`, { cause: err });
  }
}

/** Encodes a message (or its wire form, with tensors in place of typed arrays). */
export const encodeMessage = (m: Outgoing): Uint8Array => encode(m);

/** Anything sendable: a message, or its wire form where it carries tensors. */
export type Outgoing = Exclude<Message, Pull | Rows | LogUpdate | PartitionHandoff> | PullWire | RowsWire | LogUpdateWire | PartitionHandoffWire;
