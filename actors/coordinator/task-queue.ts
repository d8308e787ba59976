/**
 * The coordinator's task queue: the dataset cut into tasks, once per epoch, leased to
 * workers. A lease lasts `leaseMs` unless renewed; an expired lease puts its task back
 * at the front of the queue, and a completion with a stale lease is refused. Epochs run
 * in order: epoch e+1 is leased only when every task of epoch e is done. Time is
 * injected, so tests advance a clock instead of sleeping.
 *
 * In sync mode (`microBatches` set) the tasks are micro-batches, and every consecutive
 * `microBatches` of them form one step: only the current step's tasks are leased; once
 * all are done the step is sealed, and nothing more is leased until the coordinator has
 * committed it to the update log (`commit`), whose log sequence the next step's leases
 * carry.
 */
import type { TaskSpec } from "../../protocols/index.js";
import type { DataTask } from "../../train/index.js";

export interface Clock { now(): number }

interface Lease { readonly task: TaskSpec; readonly workerId: string; expiresAt: number }

export interface TaskQueueStats {
  readonly epoch: number;
  readonly epochs: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly rowsDone: number;
  readonly rowsTotal: number;
  readonly rowsRepeated: number;
  readonly leased: number;
  readonly expired: number;
}

/** The durable part of a queue: what survives a coordinator restart (leases do not). */
export interface TaskProgress {
  readonly tasks: number;
  readonly epoch: number;
  readonly done: readonly number[];
  readonly rowsDone: number;
  readonly rowsRepeated: number;
  /** Sync mode: the last committed step (global, -1 for none) and its commit's log sequence. */
  readonly committed?: number;
  readonly after?: number;
}

export class TaskQueue {
  readonly #tasks: readonly DataTask[];
  readonly #epochs: number;
  readonly #leaseMs: number;
  readonly #clock: Clock;
  #epoch = 0;
  #pending: number[] = [];
  readonly #done = new Set<number>();
  readonly #leases = new Map<string, Lease>();
  #nextLease = 0;
  #rowsDone = 0;
  #rowsRepeated = 0;
  #expired = 0;
  /** Sync mode: micro-batches per step (undefined in async mode). */
  readonly #micro: number | undefined;
  #committed = -1;
  #after = 0;

  /** A new queue, or one resumed from `restore` (the tasks must be cut the same way). */
  /** Lease ids start with this, so leases of a restarted coordinator never collide with its predecessor's. */
  readonly #leasePrefix: string;

  constructor(tasks: readonly DataTask[], opts: {
    epochs: number; leaseMs: number; clock: Clock; restore?: TaskProgress; leasePrefix?: string; microBatches?: number;
  }) {
    this.#leasePrefix = opts.leasePrefix ?? "l";
    this.#micro = opts.microBatches;
    this.#tasks = tasks;
    this.#epochs = opts.epochs;
    this.#leaseMs = opts.leaseMs;
    this.#clock = opts.clock;
    this.#pending = tasks.map((_, i) => i);
    const r = opts.restore;
    if (r) {
      if (r.tasks !== tasks.length) {
        throw new RangeError(`saved progress is for ${r.tasks} tasks, the data now cuts into ${tasks.length}: the data file or rowsPerTask changed`);
      }
      this.#epoch = r.epoch;
      for (const t of r.done) this.#done.add(t);
      this.#rowsDone = r.rowsDone;
      this.#rowsRepeated = r.rowsRepeated;
      this.#committed = r.committed ?? -1;
      this.#after = r.after ?? 0;
      this.#pending = this.finished ? [] : this.#pending.filter((t) => !this.#done.has(t));
    }
  }

  /** What must be saved to resume this queue after a restart. */
  progress(): TaskProgress {
    return {
      tasks: this.#tasks.length, epoch: this.#epoch, done: [...this.#done], rowsDone: this.#rowsDone, rowsRepeated: this.#rowsRepeated,
      committed: this.#committed, after: this.#after,
    };
  }

  /** A worker gives a lease back (it is leaving): the task is queued first; its trained rows count as repeated. */
  release(leaseId: string, rowsTrained: number): boolean {
    const l = this.#leases.get(leaseId);
    if (!l) return false;
    this.#leases.delete(leaseId);
    this.#rowsRepeated += rowsTrained;
    if (!this.#done.has(l.task.id)) this.#pending.unshift(l.task.id);
    return true;
  }

  /** True once every task of every epoch is done. */
  get finished(): boolean {
    return this.#epoch >= this.#epochs;
  }

  /** Leases the next free task to a worker, or undefined when none is free now. */
  lease(workerId: string): TaskSpec | undefined {
    this.expire();
    if (this.finished || this.sealedStep !== undefined) return undefined;
    const at = this.#micro === undefined ? 0 : this.#pending.findIndex((i) => this.#stepOf(i) === this.#stepInEpoch());
    if (at < 0 || at >= this.#pending.length) return undefined;
    const index = this.#pending.splice(at, 1)[0]!;
    const t = this.#tasks[index]!;
    const task: TaskSpec = {
      id: index, leaseId: `${this.#leasePrefix}.${this.#epoch}.${index}.${this.#nextLease++}`, epoch: this.#epoch,
      path: t.path, byteStart: t.byteStart, byteEnd: t.byteEnd, rowStart: t.rowStart, rows: t.rows,
      ...(this.#micro === undefined ? {} : { sync: this.#syncOf(index) }),
    };
    this.#leases.set(task.leaseId, { task, workerId, expiresAt: this.#clock.now() + this.#leaseMs });
    return task;
  }

  /** Extends a live lease; false when it has expired or is unknown. */
  renew(leaseId: string): boolean {
    const l = this.#leases.get(leaseId);
    if (!l) return false;
    l.expiresAt = this.#clock.now() + this.#leaseMs;
    return true;
  }

  /**
   * Marks a task done under its lease. False when the lease is not live: the task went
   * (or goes) to another worker, so the rows this worker trained count as repeated.
   */
  complete(leaseId: string, rows: number): boolean {
    const l = this.#leases.get(leaseId);
    if (!l) {
      this.#rowsRepeated += rows;
      return false;
    }
    this.#leases.delete(leaseId);
    if (this.#done.has(l.task.id)) {
      this.#rowsRepeated += rows;
      return true;
    }
    this.#done.add(l.task.id);
    this.#rowsDone += rows;
    // In sync mode the epoch turns at the commit of its last step.
    if (this.#micro === undefined && this.#done.size === this.#tasks.length) this.#nextEpoch();
    return true;
  }

  /** Sync mode: the global step whose tasks are all done and which awaits its commit. */
  get sealedStep(): number | undefined {
    if (this.#micro === undefined || this.finished) return undefined;
    const s = this.#stepInEpoch();
    for (let i = s * this.#micro; i < Math.min(this.#tasks.length, (s + 1) * this.#micro); i++) if (!this.#done.has(i)) return undefined;
    return this.#committed + 1;
  }

  /** Sync mode: the sealed step is in the log at sequence `after`; its successor opens. */
  commit(after: number): void {
    const step = this.sealedStep;
    if (step === undefined) throw new RangeError("no sealed step to commit");
    this.#committed = step;
    this.#after = after;
    // Only the current step's tasks are ever done: all of them done means it was the epoch's last.
    if (this.#done.size === this.#tasks.length) this.#nextEpoch();
  }

  /** Micro-batches per step (sync mode) and the steps of one epoch. */
  #stepsPerEpoch(): number {
    return Math.ceil(this.#tasks.length / this.#micro!);
  }

  /** The current step within the epoch: the one after the last committed. */
  #stepInEpoch(): number {
    return (this.#committed + 1) - this.#epoch * this.#stepsPerEpoch();
  }

  #stepOf(index: number): number {
    return Math.floor(index / this.#micro!);
  }

  #syncOf(index: number): NonNullable<TaskSpec["sync"]> {
    const s = this.#stepOf(index);
    let stepRows = 0;
    for (let i = s * this.#micro!; i < Math.min(this.#tasks.length, (s + 1) * this.#micro!); i++) stepRows += this.#tasks[i]!.rows;
    return {
      step: this.#epoch * this.#stepsPerEpoch() + s,
      micro: index - s * this.#micro!,
      weight: stepRows === 0 ? 1 : this.#tasks[index]!.rows / stepRows,
      after: this.#after,
    };
  }

  /** Gives back every lease a worker holds (it left or died), queueing their tasks first. */
  releaseWorker(workerId: string): number {
    let n = 0;
    for (const [id, l] of this.#leases) {
      if (l.workerId !== workerId) continue;
      this.#leases.delete(id);
      if (!this.#done.has(l.task.id)) this.#pending.unshift(l.task.id);
      n++;
    }
    return n;
  }

  /** Re-queues the tasks of expired leases; returns how many expired. */
  expire(): number {
    const now = this.#clock.now();
    let n = 0;
    for (const [id, l] of this.#leases) {
      if (l.expiresAt > now) continue;
      this.#leases.delete(id);
      if (!this.#done.has(l.task.id) && l.task.epoch === this.#epoch) this.#pending.unshift(l.task.id);
      n++;
    }
    this.#expired += n;
    return n;
  }

  #nextEpoch(): void {
    this.#epoch++;
    this.#done.clear();
    this.#leases.clear();
    this.#pending = this.finished ? [] : this.#tasks.map((_, i) => i);
  }

  stats(): TaskQueueStats {
    const rowsPerEpoch = this.#tasks.reduce((n, t) => n + t.rows, 0);
    return {
      epoch: Math.min(this.#epoch, this.#epochs - 1),
      epochs: this.#epochs,
      tasksDone: this.#done.size + this.#epoch * this.#tasks.length,
      tasksTotal: this.#tasks.length * this.#epochs,
      rowsDone: this.#rowsDone,
      rowsTotal: rowsPerEpoch * this.#epochs,
      rowsRepeated: this.#rowsRepeated,
      leased: this.#leases.size,
      expired: this.#expired,
    };
  }
}
