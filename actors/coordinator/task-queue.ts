/**
 * The coordinator's task queue: the dataset cut into tasks, once per epoch, leased to
 * workers. A lease lasts `leaseMs` unless renewed; an expired lease puts its task back
 * at the front of the queue, and a completion with a stale lease is refused. Epochs run
 * in order: epoch e+1 is leased only when every task of epoch e is done. Time is
 * injected, so tests advance a clock instead of sleeping.
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

  /** A new queue, or one resumed from `restore` (the tasks must be cut the same way). */
  /** Lease ids start with this, so leases of a restarted coordinator never collide with its predecessor's. */
  readonly #leasePrefix: string;

  constructor(tasks: readonly DataTask[], opts: { epochs: number; leaseMs: number; clock: Clock; restore?: TaskProgress; leasePrefix?: string }) {
    this.#leasePrefix = opts.leasePrefix ?? "l";
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
      this.#pending = this.finished ? [] : this.#pending.filter((t) => !this.#done.has(t));
    }
  }

  /** What must be saved to resume this queue after a restart. */
  progress(): TaskProgress {
    return { tasks: this.#tasks.length, epoch: this.#epoch, done: [...this.#done], rowsDone: this.#rowsDone, rowsRepeated: this.#rowsRepeated };
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
    const index = this.#pending.shift();
    if (index === undefined || this.finished) return undefined;
    const t = this.#tasks[index]!;
    const task: TaskSpec = {
      id: index, leaseId: `${this.#leasePrefix}.${this.#epoch}.${index}.${this.#nextLease++}`, epoch: this.#epoch,
      path: t.path, byteStart: t.byteStart, byteEnd: t.byteEnd, rowStart: t.rowStart, rows: t.rows,
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
    if (this.#done.size === this.#tasks.length) this.#nextEpoch();
    return true;
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
