/**
 * Task conversation: the coordinator leases row ranges of the dataset to workers; a
 * worker reports a task done with the lease it was given. A lease that is not renewed
 * (by the worker's heartbeat) expires and its task is queued again.
 */
import { ProtocolError, RejectReason } from "./errors.js";
import { bool, int, num, obj, optional, str } from "./fields.js";

/** A leased slice of the dataset: a byte range of one file holding `rows` rows. */
export interface TaskSpec {
  readonly id: number;
  readonly leaseId: string;
  /** Pass over the data this task belongs to (0-based). */
  readonly epoch: number;
  readonly path: string;
  readonly byteStart: number;
  readonly byteEnd: number;
  readonly rowStart: number;
  readonly rows: number;
  /** Sync mode only: the micro-batch this task is, and how to train it. */
  readonly sync?: SyncStep;
}

/**
 * A micro-batch of a sync step: train the task's rows as one batch on the parameters
 * after the previous step's commit (pull with `after` = that commit's log sequence), and
 * scale its gradient by `weight` (its share of the step's rows) before appending.
 */
export interface SyncStep {
  readonly step: number;
  readonly micro: number;
  readonly weight: number;
  readonly after: number;
}

export interface TaskLease { readonly v: 1; readonly type: "task.lease"; readonly workerId: string }
export interface TaskLeased {
  readonly v: 1;
  readonly type: "task.leased";
  /** The task to train, when one is free. */
  readonly task?: TaskSpec;
  /** True once every task of every epoch is done: the worker may idle. */
  readonly finished: boolean;
  /** When no task is free yet, ask again after this long. */
  readonly retryMs: number;
}
export interface TaskDone {
  readonly v: 1;
  readonly type: "task.done";
  readonly workerId: string;
  readonly taskId: number;
  readonly leaseId: string;
  readonly rows: number;
  /** Sum over batches of (mean batch loss × batch rows). */
  readonly lossSum: number;
}
export interface TaskDoneAck {
  readonly v: 1;
  readonly type: "task.done.ack";
  /** False when the lease had expired and the task was given to someone else. */
  readonly accepted: boolean;
}

const MAX = Number.MAX_SAFE_INTEGER;

function taskSpec(m: Record<string, unknown>, key: string): TaskSpec {
  const t = obj(m, key);
  return {
    id: int(t, "id"),
    leaseId: str(t, "leaseId", 128),
    epoch: int(t, "epoch"),
    path: str(t, "path", 4096),
    byteStart: int(t, "byteStart", 0, MAX),
    byteEnd: int(t, "byteEnd", 0, MAX),
    rowStart: int(t, "rowStart", 0, MAX),
    rows: int(t, "rows", 0, MAX),
    sync: optional(t, "sync", syncStep),
  };
}

function syncStep(m: Record<string, unknown>, key: string): SyncStep {
  const s = obj(m, key);
  const weight = num(s, "weight");
  if (weight <= 0 || weight > 1) throw new ProtocolError(RejectReason.InvalidField, `sync.weight: expected a share in (0, 1], got ${weight}`);
  return { step: int(s, "step"), micro: int(s, "micro", 0, 1 << 16), weight, after: int(s, "after") };
}

export const validateTaskLease = (m: Record<string, unknown>): TaskLease => ({
  v: 1, type: "task.lease", workerId: str(m, "workerId", 64),
});
export const validateTaskLeased = (m: Record<string, unknown>): TaskLeased => ({
  v: 1,
  type: "task.leased",
  task: optional(m, "task", taskSpec),
  finished: bool(m, "finished"),
  retryMs: int(m, "retryMs", 0, 60_000),
});
export const validateTaskDone = (m: Record<string, unknown>): TaskDone => ({
  v: 1,
  type: "task.done",
  workerId: str(m, "workerId", 64),
  taskId: int(m, "taskId"),
  leaseId: str(m, "leaseId", 128),
  rows: int(m, "rows"),
  lossSum: num(m, "lossSum"),
});
export const validateTaskDoneAck = (m: Record<string, unknown>): TaskDoneAck => ({
  v: 1, type: "task.done.ack", accepted: bool(m, "accepted"),
});
