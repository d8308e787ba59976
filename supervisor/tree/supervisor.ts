/**
 * An Erlang/OTP-style supervisor of OS processes (or anything else behind a
 * ChildHandle). It starts its children in order, watches them exit, restarts them by
 * strategy (one_for_one, one_for_all, rest_for_one) and restart type, with backoff,
 * within an intensity limit past which it stops its children and escalates: to its
 * parent supervisor, for which that is an abnormal exit of a child, or — at the root —
 * through `failed`. It stops children in reverse start order, SIGTERM then SIGKILL
 * after each child's shutdownMs.
 *
 * Boundaries: it knows nothing of NATS. Liveness beyond process exit (heartbeats) is
 * the caller's: reportUnresponsive(id) kills a child that went silent, and the kill is
 * then an abnormal exit like any other. The lifecycle (starting, running, restarting,
 * escalating, stopping) is the xstate machine of supervisor-machine.ts; the registry of
 * children stays here, outside xstate. Every operation that changes the registry runs
 * on one serial queue, like an OTP supervisor's mailbox: exits, restarts, startChild,
 * terminateChild and stop never interleave, so a restart can't race a stop. A child's
 * start() should therefore resolve once the process is spawned, not once it is ready.
 */
import type { Logger } from "pino";
import { createActor, type Actor } from "xstate";
import type { ChildExit, ChildHandle } from "./child-handle.js";
import type { ChildSpec, SupervisorSpec } from "./child-spec.js";
import type { SupervisorClock } from "./clock.js";
import { EscalationError, type FailureOrigin } from "./escalation-error.js";
import { EventStream } from "./event-stream.js";
import { restartDelay } from "./restart-backoff.js";
import { restartsAfter, RestartType } from "./restart-type.js";
import { Strategy } from "./strategy.js";
import type { SupervisorEvent } from "./supervisor-event.js";
import { supervisorMachine, type SupervisorMachineEvent, type SupervisorState } from "./supervisor-machine.js";
import { ChildStartError, DuplicateChildError, messageOf, SupervisorNotRunningError } from "./supervision-errors.js";
import {
  describeExit, newChildRecord, restartTypeOf,
  type ChildInfo, type ChildRecord, type Failure, type Run, type TimerRef,
} from "./child-record.js";
import { logSupervisorEvent } from "./log-supervisor-event.js";
import { SerialQueue } from "./serial-queue.js";
import { shutdownChild } from "./shutdown-child.js";

/** What a supervisor needs from its surroundings; nested supervisors share it. */
export interface SupervisorOptions {
  readonly clock: SupervisorClock;
  /** Uniform in [0, 1), like Math.random: the jitter of restart delays. */
  readonly random: () => number;
  /** Events are mirrored here, each line with `{ supervisor }`. */
  readonly log?: Logger;
}

export class Supervisor {
  readonly id: string;
  /** Resolves (never rejects) if this supervisor escalates; a root's caller stops the job with it. */
  readonly failed: Promise<EscalationError>;
  readonly #spec: SupervisorSpec;
  readonly #options: SupervisorOptions;
  readonly #log: Logger | undefined;
  readonly #actor: Actor<typeof supervisorMachine>;
  readonly #children: ChildRecord[];
  readonly #events: EventStream<SupervisorEvent>;
  /** The serial queue every registry change runs on. */
  readonly #queue: SerialQueue;
  /** A pending one_for_all / rest_for_one restart: who restarts, and its timer. */
  #group: { members: Set<ChildRecord>; timer: TimerRef | undefined } | undefined;
  #escalation: EscalationError | undefined;
  #resolveFailed: (err: EscalationError) => void = () => undefined;
  /** Resolves when the supervisor reached a final state (stopped or escalated). */
  readonly #finished: Promise<void>;
  #resolveFinished: () => void = () => undefined;
  #starting: Promise<void> | undefined;
  /** stop() has queued the termination of the children. */
  #stopScheduled = false;
  /** Put into stopping by stop() (its own or an ancestor's), as opposed to a failed start. */
  #quiesced = false;

  /** Throws DuplicateChildError when two children share an id. Starts nothing: call start(). */
  constructor(spec: SupervisorSpec, options: SupervisorOptions) {
    this.id = spec.id;
    this.#spec = spec;
    this.#options = options;
    this.#log = options.log?.child({ supervisor: spec.id });
    const seen = new Set<string>();
    for (const child of spec.children) {
      if (seen.has(child.id)) throw new DuplicateChildError(spec.id, child.id);
      seen.add(child.id);
    }
    this.#children = spec.children.map((c) => newChildRecord(c));
    this.#events = new EventStream((err) => this.#log?.error({ err }, "a supervisor event listener threw"));
    this.#queue = new SerialQueue((err) => this.#log?.error({ err }, "supervisor operation failed"));
    this.failed = new Promise((resolve) => { this.#resolveFailed = resolve; });
    this.#finished = new Promise((resolve) => { this.#resolveFinished = resolve; });
    this.#actor = createActor(supervisorMachine, {
      input: { id: spec.id, intensity: spec.intensity, periodMs: spec.periodMs },
      clock: options.clock,
    });
    // An unobserved machine error would be rethrown later and kill the process.
    this.#actor.subscribe({ error: (err) => this.#log?.error({ err }, "supervisor machine failed") });
    this.#actor.start();
  }

  /** The lifecycle state (the machine's). */
  get state(): SupervisorState {
    return this.#actor.getSnapshot().value as SupervisorState;
  }

  /** Why this supervisor escalated, once it has. */
  get escalation(): EscalationError | undefined {
    return this.#escalation;
  }

  /**
   * Starts the children in order (a nested supervisor starts its own before the next
   * sibling starts). Resolves once all run. If one fails to start, the ones started are
   * stopped in reverse order and this rejects with ChildStartError. Calling it again
   * returns the first call's promise.
   */
  start(): Promise<void> {
    if (this.#starting !== undefined) return this.#starting;
    this.#send({ type: "START" });
    this.#starting = this.#queue.run(async () => {
      for (const rec of [...this.#children]) {
        if (this.state !== "starting") return; // stop() came first
        try {
          await this.#startRun(rec);
        } catch (err) {
          this.#emit({ type: "child.start_failed", supervisor: this.id, child: rec.spec.id, reason: messageOf(err) });
          if (this.state === "starting") {
            this.#send({ type: "START_FAILED" });
            await this.#terminateAll();
            this.#finishStopped();
          }
          throw new ChildStartError(this.id, rec.spec.id, err);
        }
      }
      this.#send({ type: "STARTED" });
    });
    return this.#starting;
  }

  /**
   * Stops every child in reverse start order: SIGTERM, then SIGKILL once the child's
   * shutdownMs has passed (a nested supervisor stops its own children the same way).
   * From the call on, in the whole tree, exits are expected and nothing restarts.
   * `graceMs` (default 0) first gives the children that long to exit by themselves —
   * for a caller that asks them to finish over another channel (NATS) right after
   * calling stop() — before the signals start. Resolves when every child has exited;
   * at once if the supervisor already stopped or escalated.
   */
  stop(options: { readonly graceMs?: number } = {}): Promise<void> {
    const state = this.state;
    if (state === "stopped" || state === "escalated") return Promise.resolve();
    if (this.#stopScheduled || state === "escalating" || (state === "stopping" && !this.#quiesced)) return this.#finished;
    this.#quiesce();
    this.#stopScheduled = true;
    const graceMs = options.graceMs ?? 0;
    this.#queue.post(async () => {
      if (graceMs > 0) await this.#grace(graceMs);
      await this.#terminateAll();
      this.#finishStopped();
    });
    return this.#finished;
  }

  /**
   * Adds a child after the others and starts it (scaling). `under` names the supervisor
   * in this tree that gets it (default: this one). Rejects with SupervisorNotRunningError
   * unless that supervisor runs, DuplicateChildError for a taken id, or ChildStartError
   * when the start fails (the child is then not kept).
   */
  startChild(spec: ChildSpec, under?: string): Promise<void> {
    const target = this.#supervisorIn(under);
    if (target === undefined) return Promise.reject(new SupervisorNotRunningError(under ?? this.id, "absent"));
    if (target !== this) return target.startChild(spec);
    return this.#queue.run(async () => {
      if (!this.#supervising()) throw new SupervisorNotRunningError(this.id, this.state);
      if (this.#find(spec.id) !== undefined) throw new DuplicateChildError(this.id, spec.id);
      const rec = newChildRecord(spec);
      this.#children.push(rec);
      try {
        await this.#startRun(rec);
      } catch (err) {
        this.#remove(rec);
        this.#emit({ type: "child.start_failed", supervisor: this.id, child: spec.id, reason: messageOf(err) });
        throw new ChildStartError(this.id, spec.id, err);
      }
    });
  }

  /**
   * Stops a child (SIGTERM, SIGKILL after its shutdownMs) and removes it, without
   * restarting it or touching its siblings, whatever the strategy; a pending restart of
   * it is cancelled. `under` names the supervisor in this tree that holds it (default:
   * this one). Resolves true once it has exited; false when there is no such child.
   */
  terminateChild(id: string, under?: string): Promise<boolean> {
    const target = this.#supervisorIn(under);
    if (target === undefined) return Promise.resolve(false);
    if (target !== this) return target.terminateChild(id);
    return this.#queue.run(async () => {
      const rec = this.#find(id);
      if (rec === undefined) return false;
      this.#cancelRestart(rec);
      await this.#terminate(rec);
      this.#remove(rec);
      this.#settleIfIdle();
      return true;
    });
  }

  /**
   * The caller's verdict that a worker child is alive but not working (heartbeat timeout:
   * SIGSTOPped, stalled). Kills it with SIGKILL; its exit is abnormal and handled by
   * policy like any crash, with `reason` in the restart cause. Looks in nested
   * supervisors too. Returns false when no running worker child has this id.
   */
  reportUnresponsive(id: string, reason: string): boolean {
    for (const rec of this.#children) {
      const run = rec.run;
      if (rec.spec.id === id && rec.spec.kind === "worker") {
        if (run === undefined || run.stopping) return false;
        run.unresponsive ??= reason;
        this.#log?.warn({ child: id, pid: run.handle.pid, reason }, "killing an unresponsive child");
        run.handle.kill("SIGKILL");
        return true;
      }
      if (run?.nested?.reportUnresponsive(id, reason) === true) return true;
    }
    return false;
  }

  /** The direct children in start order, with nested supervisors' children inside. */
  children(): ChildInfo[] {
    return this.#children.map((rec) => {
      const nested = rec.run?.nested;
      const info: ChildInfo = {
        id: rec.spec.id,
        kind: rec.spec.kind,
        pid: rec.run === undefined || nested !== undefined ? null : rec.run.handle.pid,
        status: rec.status,
        restarts: rec.restarts,
      };
      return nested === undefined ? info : { ...info, children: nested.children() };
    });
  }

  /** This supervisor or the running nested one with this id anywhere below it, e.g. to scale its children. */
  findSupervisor(id: string): Supervisor | undefined {
    return this.#supervisorIn(id);
  }

  /** Calls `listener` with every later event of this supervisor and its nested ones; returns the unsubscribe function. */
  on(listener: (event: SupervisorEvent) => void): () => void {
    return this.#events.on(listener);
  }

  /** The events from now on, as an async iterator that ends after supervisor.stopped or supervisor.escalated. */
  events(): AsyncIterableIterator<SupervisorEvent> {
    return this.#events.iterate();
  }

  // ---- starting and watching ------------------------------------------------------

  /** Starts one incarnation of `rec` and watches its exit; throws what its start threw. */
  async #startRun(rec: ChildRecord): Promise<void> {
    rec.status = "starting";
    let handle: ChildHandle;
    let nested: Supervisor | undefined;
    try {
      if (rec.spec.kind === "worker") {
        handle = await rec.spec.start();
      } else {
        nested = new Supervisor(rec.spec.spec, this.#options);
        nested.on((e) => this.#events.emit(e));
        await nested.start();
        handle = this.#nestedHandle(nested);
      }
    } catch (err) {
      rec.status = "stopped";
      throw err;
    }
    const run: Run = { handle, nested, startedAt: this.#options.clock.now(), stopping: false, unresponsive: undefined };
    rec.run = run;
    rec.status = "running";
    this.#emit({ type: "child.started", supervisor: this.id, child: rec.spec.id, pid: nested ? null : handle.pid, attempt: rec.restarts });
    const onExit = (exit: ChildExit): void => {
      // Whoever asked it to stop awaits this exit and reports it.
      if (!run.stopping) this.#queue.post(() => this.#onExit(rec, run, exit));
    };
    handle.exited.then(onExit, () => onExit({ code: null, signal: null }));
  }

  /** An exit nobody asked for. */
  async #onExit(rec: ChildRecord, run: Run, exit: ChildExit): Promise<void> {
    if (rec.run !== run || run.stopping) return; // already handled by a stop that came first
    rec.run = undefined;
    rec.status = "stopped";
    const supervising = this.#supervising();
    // While stopping or escalating every exit is expected, whoever caused it.
    this.#emit({ type: "child.exited", supervisor: this.id, child: rec.spec.id, exit, expected: !supervising });
    if (!supervising) return;
    const nested = run.nested?.escalation;
    const base = nested !== undefined ? "escalated" : describeExit(exit);
    const description = run.unresponsive === undefined ? base : `${base} after being reported unresponsive (${run.unresponsive})`;
    const ranMs = this.#options.clock.now() - run.startedAt;
    await this.#onFailure(rec, { description, exit, ranMs, nested });
  }

  /** A child exited unasked or failed to start: restart by type and strategy, or escalate. */
  async #onFailure(rec: ChildRecord, failure: Failure): Promise<void> {
    const type = restartTypeOf(rec.spec);
    // A start that failed is an abnormal end: only temporary children stay down.
    const restarts = failure.exit === undefined ? type !== RestartType.Temporary : restartsAfter(type, failure.exit);
    if (!restarts) {
      this.#remove(rec);
      this.#emit({ type: "child.gave_up", supervisor: this.id, child: rec.spec.id, reason: `${type} child ${failure.description}; not restarted` });
      this.#settleIfIdle();
      return;
    }
    rec.failures = failure.ranMs >= this.#spec.periodMs ? 1 : rec.failures + 1;
    this.#send({ type: "CHILD_FAILED", child: rec.spec.id, at: this.#options.clock.now() });
    if (this.state === "escalating") {
      await this.#escalate(rec, failure);
      return;
    }
    if (this.#spec.strategy === Strategy.OneForOne) {
      this.#restartOneLater(rec, failure);
      return;
    }
    const index = this.#children.indexOf(rec);
    const others = this.#spec.strategy === Strategy.OneForAll
      ? this.#children.filter((c) => c !== rec)
      : this.#children.slice(index + 1);
    await this.#restartGroupLater(rec, others, failure);
  }

  // ---- restarting -----------------------------------------------------------------

  #restartOneLater(rec: ChildRecord, failure: Failure): void {
    rec.restarts++;
    rec.status = "restarting";
    const delayMs = restartDelay(this.#spec.backoff, rec.failures, this.#options.random);
    this.#emit({ type: "child.restarted", supervisor: this.id, child: rec.spec.id, attempt: rec.restarts, delayMs, cause: failure.description });
    const timer: TimerRef = { id: undefined };
    timer.id = this.#options.clock.setTimeout(() => {
      if (rec.timer === timer) this.#queue.post(() => this.#restartOne(rec, timer));
    }, delayMs);
    rec.timer = timer;
  }

  async #restartOne(rec: ChildRecord, timer: TimerRef): Promise<void> {
    if (rec.timer !== timer) return; // cancelled after it fired
    rec.timer = undefined;
    if (!this.#supervising() || !this.#children.includes(rec)) return;
    await this.#restartRun(rec);
    this.#settleIfIdle();
  }

  /**
   * Stops `others` (reverse start order) and schedules `failed` and them to start again
   * together, in start order, after the failed child's backoff. A restart already
   * pending merges into this one. Temporary siblings are stopped and not restarted (OTP).
   */
  async #restartGroupLater(failed: ChildRecord, others: readonly ChildRecord[], failure: Failure): Promise<void> {
    const survivors: ChildRecord[] = [];
    for (const sib of [...others].reverse()) {
      await this.#terminate(sib);
      if (restartTypeOf(sib.spec) === RestartType.Temporary) {
        this.#remove(sib);
        this.#emit({ type: "child.gave_up", supervisor: this.id, child: sib.spec.id, reason: `temporary child stopped for the ${this.#spec.strategy} restart after "${failed.spec.id}" failed; not restarted` });
      } else {
        survivors.unshift(sib);
      }
    }
    if (this.#group?.timer !== undefined) this.#options.clock.clearTimeout(this.#group.timer.id);
    const members = this.#group?.members ?? new Set<ChildRecord>();
    const delayMs = restartDelay(this.#spec.backoff, failed.failures, this.#options.random);
    for (const rec of [failed, ...survivors].filter((r) => !members.has(r))) {
      members.add(rec);
      rec.restarts++;
      rec.status = "restarting";
      const cause = rec === failed ? failure.description : `restarted with "${failed.spec.id}" (${this.#spec.strategy}), which ${failure.description}`;
      this.#emit({ type: "child.restarted", supervisor: this.id, child: rec.spec.id, attempt: rec.restarts, delayMs, cause });
    }
    const timer: TimerRef = { id: undefined };
    this.#group = { members, timer };
    timer.id = this.#options.clock.setTimeout(() => {
      if (this.#group?.timer === timer) this.#queue.post(() => this.#restartGroup(timer));
    }, delayMs);
  }

  async #restartGroup(timer: TimerRef): Promise<void> {
    const group = this.#group;
    if (group?.timer !== timer || !this.#supervising()) return;
    group.timer = undefined;
    for (const rec of [...this.#children]) {
      if (!group.members.delete(rec)) continue;
      if (!this.#supervising()) return;
      if (!(await this.#restartRun(rec))) return; // its failure rescheduled the rest
    }
    if (this.#group === group) this.#group = undefined;
    this.#settleIfIdle();
  }

  /** Starts the next incarnation; a failed start is a failure of the child. Returns whether it runs. */
  async #restartRun(rec: ChildRecord): Promise<boolean> {
    try {
      await this.#startRun(rec);
      return true;
    } catch (err) {
      const description = `failed to start: ${messageOf(err)}`;
      this.#emit({ type: "child.start_failed", supervisor: this.id, child: rec.spec.id, reason: messageOf(err) });
      await this.#onFailure(rec, { description, exit: undefined, ranMs: 0, nested: undefined });
      return false;
    }
  }

  #settleIfIdle(): void {
    if (this.state !== "restarting") return;
    if (this.#group !== undefined || this.#children.some((c) => c.timer !== undefined)) return;
    this.#send({ type: "RESTARTS_SETTLED" });
  }

  #cancelRestart(rec: ChildRecord): void {
    if (rec.timer !== undefined) this.#options.clock.clearTimeout(rec.timer.id);
    rec.timer = undefined;
    const group = this.#group;
    if (group === undefined || !group.members.delete(rec) || group.members.size > 0) return;
    if (group.timer !== undefined) this.#options.clock.clearTimeout(group.timer.id);
    this.#group = undefined;
  }

  #cancelTimers(): void {
    for (const rec of this.#children) this.#cancelRestart(rec);
    if (this.#group?.timer !== undefined) this.#options.clock.clearTimeout(this.#group.timer.id);
    this.#group = undefined;
    for (const rec of this.#children) if (rec.status === "restarting") rec.status = "stopped";
  }

  // ---- stopping and escalating ----------------------------------------------------

  /** Stops `rec`'s incarnation (SIGTERM, SIGKILL after shutdownMs) and reports its exit as expected. */
  async #terminate(rec: ChildRecord): Promise<void> {
    const run = rec.run;
    if (run === undefined) return;
    run.stopping = true;
    rec.status = "stopping";
    let exit: ChildExit;
    if (run.nested !== undefined || rec.spec.kind !== "worker") {
      // A nested supervisor has no deadline of its own: its children have theirs.
      run.handle.kill("SIGTERM");
      exit = await run.handle.exited;
    } else {
      const shutdownMs = rec.spec.shutdownMs;
      exit = await shutdownChild(run.handle, shutdownMs, this.#options.clock, () => {
        this.#log?.warn({ child: rec.spec.id, pid: run.handle.pid, shutdownMs }, "child ignored SIGTERM; sending SIGKILL");
      });
    }
    if (rec.run === run) rec.run = undefined;
    rec.status = "stopped";
    this.#emit({ type: "child.exited", supervisor: this.id, child: rec.spec.id, exit, expected: true });
  }

  /**
   * Synchronously, down the tree: from now on exits are expected and nothing restarts.
   * Nested supervisors are not told to terminate anything yet: their parent does that in
   * its own reverse order (or they exit within the grace period).
   */
  #quiesce(): void {
    const state = this.state;
    if (state === "escalating" || state === "escalated" || state === "stopped") return;
    for (const rec of this.#children) {
      const nested = rec.run?.nested;
      if (nested !== undefined) nested.#quiesce();
    }
    this.#quiesced = true;
    this.#send({ type: "STOP" });
    this.#cancelTimers();
  }

  /** Waits until every process in the tree has exited, or `ms` has passed. */
  async #grace(ms: number): Promise<void> {
    const exits = this.#processes().map((h) => h.exited.catch(() => undefined));
    if (exits.length === 0) return;
    let timer: unknown;
    await Promise.race([
      Promise.all(exits),
      new Promise<void>((resolve) => { timer = this.#options.clock.setTimeout(resolve, ms); }),
    ]);
    this.#options.clock.clearTimeout(timer);
  }

  /** Handles of every worker child running in this tree. */
  #processes(): ChildHandle[] {
    return this.#children.flatMap((rec) => {
      const run = rec.run;
      if (run === undefined) return [];
      return run.nested === undefined ? [run.handle] : run.nested.#processes();
    });
  }

  async #terminateAll(): Promise<void> {
    for (const rec of [...this.#children].reverse()) await this.#terminate(rec);
  }

  async #escalate(rec: ChildRecord, failure: Failure): Promise<void> {
    this.#cancelTimers();
    const counted = this.#actor.getSnapshot().context.escalation?.restarts ?? this.#spec.intensity + 1;
    const origin: FailureOrigin = failure.nested?.origin ?? {
      supervisor: this.id,
      child: rec.spec.id,
      description: failure.description,
      ...(failure.exit === undefined ? {} : { exit: failure.exit }),
    };
    const error = new EscalationError(
      { supervisor: this.id, child: rec.spec.id, restarts: counted, intensity: this.#spec.intensity, periodMs: this.#spec.periodMs, origin },
      failure.nested === undefined ? undefined : { cause: failure.nested },
    );
    this.#escalation = error;
    await this.#terminateAll();
    this.#send({ type: "ESCALATED" });
    this.#emit({ type: "supervisor.escalated", supervisor: this.id, child: rec.spec.id, restarts: counted, periodMs: this.#spec.periodMs, error });
    this.#resolveFailed(error);
    this.#finish();
  }

  #finishStopped(): void {
    this.#send({ type: "STOPPED" });
    this.#emit({ type: "supervisor.stopped", supervisor: this.id });
    this.#finish();
  }

  #finish(): void {
    this.#events.close();
    this.#resolveFinished();
  }

  // ---- small helpers --------------------------------------------------------------

  #supervising(): boolean {
    const state = this.state;
    return state === "running" || state === "restarting";
  }

  /** This supervisor, or the running nested one with id `id` anywhere below it. */
  #supervisorIn(id: string | undefined): Supervisor | undefined {
    if (id === undefined || id === this.id) return this;
    for (const rec of this.#children) {
      const nested = rec.run?.nested;
      const found = nested === undefined ? undefined : nested.#supervisorIn(id);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  #find(id: string): ChildRecord | undefined {
    return this.#children.find((c) => c.spec.id === id);
  }

  #remove(rec: ChildRecord): void {
    this.#cancelRestart(rec);
    const i = this.#children.indexOf(rec);
    if (i >= 0) this.#children.splice(i, 1);
  }

  #send(event: SupervisorMachineEvent): void {
    // A final machine takes no events; sending one would only produce a warning.
    if (this.#actor.getSnapshot().status === "active") this.#actor.send(event);
  }

  #emit(event: SupervisorEvent): void {
    if (this.#log !== undefined) logSupervisorEvent(this.#log, event);
    this.#events.emit(event);
  }

  /**
   * A nested supervisor seen by its parent as a child: it "exits" when it has stopped
   * (code 0) or escalated (code 1, abnormal), and any signal means stop(). Its pid is
   * ours: it lives in this process.
   */
  #nestedHandle(nested: Supervisor): ChildHandle {
    return {
      pid: process.pid,
      exited: nested.#finished.then((): ChildExit => ({ code: nested.#escalation === undefined ? 0 : 1, signal: null })),
      kill: () => {
        void nested.stop();
      },
    };
  }
}
