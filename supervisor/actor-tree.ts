/**
 * The supervision tree of one cluster, built from its config: a root supervisor over
 * the coordinator, a `shards` supervisor and a `workers` supervisor, each child an actor
 * OS process. It maps the tree's events to the cluster's, tracks pids and restarts for
 * `colony status`, and changes the number of workers or shards (scale) by starting new
 * children or terminating the highest-numbered ones (workers give their task back; the
 * coordinator has moved a leaving shard's partitions off before).
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
  #desiredWorkers: number;
  #desiredShards: number;
  #stopping = false;
  /** Resolves with the error when the tree gave up (restart intensity exceeded at the root). */
  readonly failed: Promise<EscalationError>;

  constructor(opts: {
    config: ClusterConfig; configFile: string; natsUrl: string; runDir: string; onEvent: (e: ActorTreeEvent) => void;
    /** A different NATS URL for one actor (chaos routes an actor through its own network link). */
    natsUrlFor?: (id: string) => string | undefined;
  }) {
    this.#config = opts.config;
    this.#configFile = opts.configFile;
    this.#natsUrl = opts.natsUrl;
    this.#natsUrlFor = opts.natsUrlFor;
    this.#runDir = opts.runDir;
    this.#emit = opts.onEvent;
    this.#desiredWorkers = opts.config.workers.count;
    this.#desiredShards = opts.config.shards.count;
    const s = opts.config.supervision;
    const group = (id: string, strategy: SupervisorSpec["strategy"], children: ChildSpec[]): SupervisorSpec => ({
      id, strategy, intensity: s.intensity, periodMs: s.periodMs, backoff: s.backoff, children,
    });
    const shards = Array.from({ length: opts.config.shards.count }, (_, i) => this.#actorSpec("shard", `shard-${i}`));
    const workers = Array.from({ length: opts.config.workers.count }, (_, i) => this.#actorSpec("worker", `worker-${i}`));
    this.#root = new Supervisor(group("root", s.strategy, [
      this.#actorSpec("coordinator", "coordinator"),
      { kind: "supervisor", id: "shards", spec: group("shards", s.shards.strategy, shards) },
      { kind: "supervisor", id: "workers", spec: group("workers", s.workers.strategy, workers) },
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
        const p = new ActorProcess({
          id, kind, configFile: this.#configFile, natsUrl: this.#natsUrlFor?.(id) ?? this.#natsUrl, runDir: this.#runDir,
          logFile: join(this.#runDir, "logs", `${id}.log`),
          onErrorLine: (line) => this.#emit({ type: "actor.error", id, line }),
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

  /** The worker count the tree converges to. */
  get desiredWorkers(): number {
    return this.#desiredWorkers;
  }

  /** Starts every actor (coordinator, shards, workers, in that order). */
  async start(): Promise<void> {
    await this.#root.start();
  }

  /** Starts or terminates worker children until `n` run: new ones get the next free ids, leaving ones the highest. */
  async scaleWorkers(n: number): Promise<void> {
    this.#desiredWorkers = n;
    const running = () => [...this.#actors.entries()].filter(([, a]) => a.kind === "worker").map(([id]) => id)
      .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
    while (running().length < n) {
      const taken = new Set(running());
      let i = 0;
      while (taken.has(`worker-${i}`)) i++;
      await this.#root.startChild(this.#actorSpec("worker", `worker-${i}`), "workers");
    }
    while (running().length > n) {
      const id = running().at(-1)!;
      this.#actors.delete(id);
      await this.#root.terminateChild(id, "workers");
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
    await this.#root.stop();
  }
}
