/**
 * The supervision tree of one host, built from the cluster's config. On the root host
 * (`colony up`): a root supervisor over the coordinator, a `shards` supervisor and a
 * `workers` supervisor; on an agent (`colony agent`): only the `workers` supervisor.
 * Each child is an actor OS process. It maps the tree's events to the cluster's, tracks
 * pids and restarts for `colony status`, and converges its workers to the ids placed on
 * this host (starting new ones, terminating removed ones, which give their task back),
 * and on the root host its shards to the count an operator scaled to (the coordinator
 * has moved a leaving shard's partitions off before it is terminated).
 * With `workers.standby` it keeps one worker process started and idle (loaded and
 * connected) and hands it the next worker id, so new and replacement workers skip
 * Node's start-up and module loading.
 */
import { join } from "node:path";
import { ActorProcess, type ActorExit } from "./actor-process.js";
import type { ClusterConfig } from "./config/index.js";
import type { ChildInfo } from "./cluster-status.js";
import {
  Supervisor, systemClock, type ChildSpec, type EscalationError, type SupervisorSpec, type WorkerChildSpec,
} from "./tree/index.js";

export type ActorTreeEvent =
  | { type: "actor.started"; id: string; pid: number; attempt: number }
  | { type: "actor.crashed"; id: string; exit: ActorExit; tail: string[] }
  | { type: "actor.restarted"; id: string; attempt: number; delayMs: number; cause: string }
  | { type: "actor.unresponsive"; id: string; reason: string }
  | { type: "actor.error"; id: string; line: string }
  | { type: "tree.escalated"; reason: string };

type ActorKindName = "coordinator" | "shard" | "worker";

/** How long after a standby worker is taken (or the tree started) a new one is started. */
const STANDBY_REFILL_MS = 3000;

interface Incarnation { readonly kind: ActorKindName; process: ActorProcess | undefined; restarts: number; startedAt: number }

export class ActorTree {
  readonly #config: ClusterConfig;
  readonly #configFile: string;
  readonly #natsUrl: string;
  readonly #natsUrlFor: ((id: string) => string | undefined) | undefined;
  readonly #runDir: string;
  readonly #emit: (e: ActorTreeEvent) => void;
  readonly #actors = new Map<string, Incarnation>();
  readonly #root: Supervisor;
  readonly #host: string | undefined;
  readonly #standbyEnabled: boolean;
  #standby: ActorProcess | undefined;
  #standbyTimer: ReturnType<typeof setTimeout> | undefined;
  #desiredShards: number;
  #stopping = false;
  /** Resolves with the error when the tree gave up (restart intensity exceeded at the root). */
  readonly failed: Promise<EscalationError>;

  constructor(opts: {
    config: ClusterConfig; configFile: string; natsUrl: string; runDir: string; onEvent: (e: ActorTreeEvent) => void;
    /** A different NATS URL for one actor (chaos routes an actor through its own network link). */
    natsUrlFor?: (id: string) => string | undefined;
    /** Set on an agent: the tree holds only workers (none until placed), which report this host id. */
    agentHost?: string;
  }) {
    this.#config = opts.config;
    this.#configFile = opts.configFile;
    this.#natsUrl = opts.natsUrl;
    this.#natsUrlFor = opts.natsUrlFor;
    this.#runDir = opts.runDir;
    this.#emit = opts.onEvent;
    this.#host = opts.agentHost;
    // A standby connects to the cluster's URL: not to an actor's own network link (chaos).
    this.#standbyEnabled = opts.config.workers.standby && opts.natsUrlFor === undefined;
    this.#desiredShards = opts.config.shards.count;
    const s = opts.config.supervision;
    const group = (id: string, strategy: SupervisorSpec["strategy"], children: ChildSpec[]): SupervisorSpec => ({
      id, strategy, intensity: s.intensity, periodMs: s.periodMs, backoff: s.backoff, children,
    });
    const shards = Array.from({ length: opts.config.shards.count }, (_, i) => this.#actorSpec("shard", `shard-${i}`));
    const workers = Array.from({ length: opts.agentHost === undefined ? opts.config.workers.count : 0 }, (_, i) => this.#actorSpec("worker", `worker-${i}`));
    const workersGroup = group("workers", s.workers.strategy, workers);
    this.#root = new Supervisor(opts.agentHost !== undefined ? workersGroup : group("root", s.strategy, [
      this.#actorSpec("coordinator", "coordinator"),
      { kind: "supervisor", id: "shards", spec: group("shards", s.shards.strategy, shards) },
      { kind: "supervisor", id: "workers", spec: workersGroup },
    ]), { clock: systemClock, random: Math.random });
    this.#root.on((e) => {
      switch (e.type) {
        case "child.restarted":
          if (this.#actors.has(e.child)) {
            this.#actors.get(e.child)!.restarts = e.attempt;
            this.#emit({ type: "actor.restarted", id: e.child, attempt: e.attempt, delayMs: e.delayMs, cause: e.cause });
          }
          break;
        case "supervisor.escalated":
          this.#emit({ type: "tree.escalated", reason: e.error.message });
          break;
        default:
          break;
      }
    });
    this.failed = this.#root.failed;
  }

  #actorSpec(kind: ActorKindName, id: string): WorkerChildSpec {
    const restart = kind === "coordinator" ? this.#config.supervision.coordinator.restart
      : kind === "shard" ? this.#config.supervision.shards.restart : this.#config.supervision.workers.restart;
    this.#actors.set(id, { kind, process: undefined, restarts: 0, startedAt: Date.now() });
    return {
      kind: "worker", id, restart, shutdownMs: this.#config.supervision.shutdownMs,
      start: () => {
        const logFile = join(this.#runDir, "logs", `${id}.log`);
        const onErrorLine = (line: string): void => this.#emit({ type: "actor.error", id, line });
        const p = (kind === "worker" ? this.#takeStandby(id, logFile, onErrorLine) : undefined) ?? new ActorProcess({
          id, kind, configFile: this.#configFile, natsUrl: this.#natsUrlFor?.(id) ?? this.#natsUrl, runDir: this.#runDir, host: this.#host,
          logFile, onErrorLine,
        });
        const a = this.#actors.get(id) ?? { kind, process: undefined, restarts: 0, startedAt: Date.now() };
        a.process = p;
        a.startedAt = Date.now();
        this.#actors.set(id, a);
        this.#emit({ type: "actor.started", id, pid: p.pid, attempt: a.restarts });
        void p.exited.then((exit) => {
          if (!this.#stopping && (exit.code !== 0 || exit.signal !== null)) this.#emit({ type: "actor.crashed", id, exit, tail: p.tail() });
        });
        return p;
      },
    };
  }

  /** Starts every actor (coordinator, shards, workers, in that order), then the standby worker. */
  async start(): Promise<void> {
    await this.#root.start();
    this.#refillStandby(STANDBY_REFILL_MS);
  }

  /** The standby worker, assigned `id`; undefined when none is ready (the caller spawns one). */
  #takeStandby(id: string, logFile: string, onErrorLine: (line: string) => void): ActorProcess | undefined {
    const s = this.#standby;
    this.#standby = undefined;
    // Refill after a pause: the new worker's first batch should not compete with a Node
    // start-up for the CPU (on this 2-core machine that start-up costs 0.5-1 s of CPU).
    this.#refillStandby(STANDBY_REFILL_MS);
    if (s?.assign(id, logFile, onErrorLine)) return s;
    s?.kill();
    return undefined;
  }

  /** Starts a standby worker after `delayMs`, unless one runs, one is due, or the tree stops. */
  #refillStandby(delayMs: number): void {
    if (!this.#standbyEnabled || this.#stopping || this.#standby !== undefined || this.#standbyTimer !== undefined) return;
    this.#standbyTimer = setTimeout(() => {
      this.#standbyTimer = undefined;
      if (this.#stopping || this.#standby !== undefined) return;
      const s = ActorProcess.standby({ kind: "worker", configFile: this.#configFile, natsUrl: this.#natsUrl, runDir: this.#runDir, host: this.#host });
      this.#standby = s;
      // A standby that dies unassigned is replaced, slowly: it is an optimisation, not a child.
      void s.exited.then(() => {
        if (this.#standby !== s) return;
        this.#standby = undefined;
        this.#refillStandby(5000);
      });
    }, delayMs);
  }

  /** The ids of the worker children this tree runs now, in id order. */
  workerIds(): string[] {
    return [...this.#actors.entries()].filter(([, a]) => a.kind === "worker").map(([id]) => id)
      .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
  }

  /**
   * Starts the workers of `ids` that do not run here and terminates (SIGTERM: they give
   * their lease back) the ones not in `ids`; resolves once both are done.
   */
  async convergeWorkers(ids: readonly string[]): Promise<void> {
    const wanted = new Set(ids);
    for (const id of this.workerIds()) {
      if (wanted.has(id)) continue;
      this.#actors.delete(id);
      await this.#root.terminateChild(id, "workers");
    }
    const running = new Set(this.workerIds());
    for (const id of ids) {
      if (!running.has(id)) await this.#root.startChild(this.#actorSpec("worker", id), "workers");
    }
  }

  /**
   * Starts or terminates shard children until `n` run: new ones get the next free ids,
   * leaving ones the highest (the coordinator has moved their partitions off first).
   */
  async scaleShards(n: number): Promise<void> {
    this.#desiredShards = n;
    const running = () => [...this.#actors.entries()].filter(([, a]) => a.kind === "shard").map(([id]) => id)
      .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
    while (running().length < n) {
      const taken = new Set(running());
      let i = 0;
      while (taken.has(`shard-${i}`)) i++;
      await this.#root.startChild(this.#actorSpec("shard", `shard-${i}`), "shards");
    }
    while (running().length > n) {
      const id = running().at(-1)!;
      this.#actors.delete(id);
      await this.#root.terminateChild(id, "shards");
    }
  }

  /** The shard count the tree converges to. */
  get desiredShards(): number {
    return this.#desiredShards;
  }

  /** Kills a silent actor; its supervisor restarts it by policy. */
  reportUnresponsive(id: string, reason: string): void {
    if (this.#stopping || !this.#actors.get(id)?.process?.running) return;
    this.#emit({ type: "actor.unresponsive", id, reason });
    this.#root.reportUnresponsive(id, reason);
  }

  /** Every actor child with its current pid and restart count. */
  children(): ChildInfo[] {
    return [...this.#actors.entries()]
      .filter(([, a]) => a.process !== undefined)
      .map(([id, a]) => ({ id, kind: a.kind, pid: a.process!.pid, restarts: a.restarts, startedAt: a.startedAt }));
  }

  /** Stops the whole tree (reverse start order, SIGTERM then SIGKILL). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#standbyTimer);
    await this.#standby?.stop(1000);
    await this.#root.stop();
  }
}
