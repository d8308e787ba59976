/**
 * Recovery time of each fault: from the moment it was injected until the cluster does
 * useful work again *with the part that was hit*. Two steps:
 *
 * - back: the hit actor runs again (kill, term: its replacement started; stop: SIGCONT
 *   sent or a replacement started, whichever came first; NATS: the server is up again;
 *   network faults: the link healed);
 * - progress, after that: a worker fault needs an update-log append by that worker (its
 *   producer id names it; sync entries name no producer, so any append counts there);
 *   a coordinator fault needs the trained-row count it reports to move; a shard or NATS
 *   fault needs both an append and the row count to move (a task finished: every shard
 *   it pulled from answered). The row count comes once a second, so those recoveries are
 *   known to about a second.
 *
 * Everything is fed online, as events arrive: appends come at thousands per second.
 */
import { FaultKind } from "./scenario.js";
import type { InjectedFault } from "./fault-injector.js";

interface Pending {
  readonly fault: InjectedFault;
  backAt?: number;
  /** Rows done when the actor was back. */
  rowsAtBack?: number;
  appendAt?: number;
  rowsAt?: number;
}

const needsAppend = (f: InjectedFault): boolean => f.actorKind !== "coordinator";
const needsRows = (f: InjectedFault): boolean => f.actorKind !== "worker";

/** The recovery of one fault. */
export interface Recovery {
  readonly index: number;
  /** ms from injection until the actor was back, and until work resumed with it; undefined when never seen. */
  readonly backMs?: number;
  readonly recoveryMs?: number;
}

export class RecoveryTracker {
  readonly #pending: Pending[] = [];
  readonly #done = new Map<number, Recovery>();
  #rows = 0;

  /** A fault was injected (skipped ones need no recovery). */
  fault(f: InjectedFault): void {
    if (f.skipped !== undefined || f.error !== undefined) return;
    this.#pending.push({ fault: f });
  }

  /** A fault stopped acting: a stopped process continued, NATS is up. */
  ended(f: InjectedFault): void {
    const p = this.#pending.find((x) => x.fault === f);
    if (!p) return;
    if (f.kind !== FaultKind.Kill && f.kind !== FaultKind.Term) this.#back(p, Math.min(p.backAt ?? Infinity, f.endedAtMs));
  }

  /** An actor process started (a restart, or a new member). */
  started(id: string, pid: number, at: number): void {
    for (const p of this.#pending) {
      const f = p.fault;
      if (p.backAt === undefined && f.actor === id && f.pid !== pid && at >= f.atMs) this.#back(p, at);
    }
  }

  /** An update-log append was seen; `producerActor` is the worker that made it, when the entry says. */
  append(producerActor: string | undefined, at: number): void {
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const p = this.#pending[i]!;
      if (p.backAt === undefined || at < p.backAt || p.appendAt !== undefined || !needsAppend(p.fault)) continue;
      const needsOwn = p.fault.actorKind === "worker" && producerActor !== undefined;
      if (needsOwn && producerActor !== p.fault.actor) continue;
      p.appendAt = at;
      this.#settle(i);
    }
  }

  /** The coordinator reported its trained-row count. */
  progress(rowsDone: number, at: number): void {
    this.#rows = rowsDone;
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const p = this.#pending[i]!;
      if (p.backAt === undefined || at < p.backAt || p.rowsAt !== undefined || !needsRows(p.fault)) continue;
      if (rowsDone > (p.rowsAtBack ?? Infinity)) {
        p.rowsAt = at;
        this.#settle(i);
      }
    }
  }

  /** Every fault's recovery, recovered or not, in injection order. */
  recoveries(): Recovery[] {
    const open = this.#pending.map((p) => ({ index: p.fault.index, backMs: p.backAt === undefined ? undefined : p.backAt - p.fault.atMs }));
    return [...this.#done.values(), ...open].sort((a, b) => a.index - b.index);
  }

  #back(p: Pending, at: number): void {
    p.backAt = at;
    p.rowsAtBack = this.#rows;
  }

  /** Records the recovery once every sign the fault needs has been seen. */
  #settle(i: number): void {
    const p = this.#pending[i]!;
    const f = p.fault;
    if ((needsAppend(f) && p.appendAt === undefined) || (needsRows(f) && p.rowsAt === undefined)) return;
    this.#pending.splice(i, 1);
    const at = Math.max(p.appendAt ?? 0, p.rowsAt ?? 0);
    this.#done.set(f.index, { index: f.index, backMs: p.backAt! - f.atMs, recoveryMs: at - f.atMs });
  }
}

/** The worker named in an async entry's Nats-Msg-Id (`<actor>.<pid>.<t>:<seq>:<partition>`); undefined for sync ids. */
export function producerActorOf(msgId: string | undefined): string | undefined {
  const m = msgId === undefined ? null : /^([a-z][a-z0-9-]*)\.\d+\.[0-9a-z]+:\d+:\d+$/.exec(msgId);
  return m ? m[1] : undefined;
}
