/** The wire protocol: subjects, messages with their validators, the codec, tensors and errors. */
export { decodeEnvelope, encode, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type Envelope } from "./codec.js";
export {
  ColonyError, NotOwnerError, NotReadyError, ProtocolError, RejectReason, TerminalError, TransientError, UnknownOutcomeError,
} from "./errors.js";
export { errorFromReply, errorReply, type ErrorReply } from "./error-reply.js";
export type { EvalResult, HeldOutEval, JobDone, Progress, RebalanceSummary } from "./job.js";
export { ActorKind, type ActorRef, type Heartbeat, type Inspect, type Inspected, type Join, type Joined, type Stop } from "./membership.js";
export {
  MAX_REPORTED_HOT_KEYS, type LoadReport, type PartitionLoadColumns, type PlannedMove, type RebalancePlanReply, type RebalancePlanRequest, type RebalanceRunRequest,
  type ReportedHotKey, type ShardLoadSummary,
} from "./load-report.js";
export { decodeMessage, encodeMessage, MESSAGE_TYPES, type Message, type MessageOf, type MessageType, type Outgoing } from "./messages.js";
export {
  MAX_KEYS_PER_REQUEST, PULL_ATTEMPT_MS, type Checkpoint, type CheckpointPart, type Checkpointed, type Pull, type PullWire, type Rows, type RowsWire,
} from "./params.js";
export { partitionOf, partitionsOwnedBy, roundRobinMap, type PartitionMap } from "./partition-map.js";
export {
  handoffName, type LogMapChange, type PartitionHandoff, type PartitionHandoffWire, type TableRows,
} from "./partition-handoff.js";
export { MAX_SHARDS, type ShardScale, type ShardScaled } from "./shard-scaling.js";
export { handoffStream, logStream, MAP_KEY, mapBucket, partitionOfLogSubject, StateKey, stateBucket, subjects } from "./subjects.js";
export { commitMsgId, logMsgId, syncMsgId, type BatchOrigin, type LogCommit, type LogUpdate, type LogUpdateWire } from "./update-log.js";
export {
  isAgentId, parseWorkerPlacement, ROOT_HOST, type AgentChild, type AgentHeartbeat, type AgentJoin, type AgentJoined, type WorkerPlacement,
} from "./agents.js";
export type { AgentStatus, Finish, Finished, MemberStatus, ShardLoadStatus, Scale, Scaled, StatusReply, StatusRequest, TaskRelease, TaskReleased } from "./elasticity.js";
export type { SyncStep, TaskDone, TaskDoneAck, TaskLease, TaskLeased, TaskSpec } from "./tasks.js";
export { DType, elementsOf, firstNonFinite, tensor, viewTensor, type WireTensor } from "./tensor.js";
