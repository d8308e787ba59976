/**
 * Stale synchronous parallel (SSP, Ho et al. 2013) at the coordinator: a worker's clock
 * is the number of tasks it has completed, and a worker may lease a new task only while
 * its clock is at most `bound` ahead of the slowest live worker's. So no worker computes
 * on parameters that miss more than `bound` clocks of anyone's updates, while workers of
 * different speeds still overlap (bound 0 is lock-step; a large bound is async).
 *
 * A worker that joins (new, or restarted under its id) starts at the slowest live clock,
 * not at 0, or everyone would wait for it to replay the past; a lost worker leaves the
 * minimum, so one dead or hung node cannot stall the job past its heartbeat timeout.
 */
export class StalenessGate {
  readonly #bound: number;
  readonly #clocks = new Map<string, number>();
  #waits = 0;
  #maxLead = 0;

  constructor(bound: number) {
    if (!Number.isInteger(bound) || bound < 0) throw new RangeError(`staleness bound must be a non-negative integer, got ${bound}`);
    this.#bound = bound;
  }

  /** The slowest live clock (0 with no live worker). */
  get slowest(): number {
    return this.#clocks.size === 0 ? 0 : Math.min(...this.#clocks.values());
  }

  /** A worker (re)joined: it starts at the slowest live clock. */
  join(worker: string): void {
    const others = [...this.#clocks].filter(([w]) => w !== worker).map(([, c]) => c);
    this.#clocks.set(worker, others.length === 0 ? 0 : Math.min(...others));
  }

  /** A worker left or was lost: it no longer holds the others back. */
  leave(worker: string): void {
    this.#clocks.delete(worker);
  }

  /** Whether `worker` may lease a task now; a refusal is counted as a wait. */
  mayLease(worker: string): boolean {
    if (!this.#clocks.has(worker)) this.join(worker);
    const lead = this.#clocks.get(worker)! - this.slowest;
    if (lead > this.#bound) {
      this.#waits++;
      return false;
    }
    this.#maxLead = Math.max(this.#maxLead, lead);
    return true;
  }

  /** `worker` completed a task: its clock ticks. */
  completed(worker: string): void {
    this.#clocks.set(worker, (this.#clocks.get(worker) ?? this.slowest) + 1);
  }

  /** Leases refused so far, and the largest lead a granted lease had (never above the bound). */
  stats(): { waits: number; maxLead: number; bound: number; clocks: Record<string, number> } {
    return { waits: this.#waits, maxLead: this.#maxLead, bound: this.#bound, clocks: Object.fromEntries(this.#clocks) };
  }
}
