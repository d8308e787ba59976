/**
 * Keeps the workers placed: on every change of the desired count (`colony scale`) or of
 * the live agents (one joined, one was lost) it computes the next placement
 * (placeWorkers), records it in the state bucket (StateKey.Placement) for the agents to
 * converge to, and converges the root's own worker children. Changes are applied one at
 * a time, in order.
 */
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { ROOT_HOST, StateKey, stateBucket, type WorkerPlacement } from "../protocols/index.js";
import type { AgentRegistry } from "./agent-registry.js";
import { placeWorkers } from "./worker-placement.js";

/** The root host's capacity: it runs whatever no agent takes. */
const ROOT_CAPACITY = 256;

const encoder = new TextEncoder();

export class WorkerPlacer {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #jobId: string;
  readonly #log: Logger;
  readonly #agents: () => AgentRegistry | undefined;
  readonly #convergeRoot: (ids: readonly string[]) => Promise<void>;
  #desired: number;
  #placement: WorkerPlacement;
  #kv: KV | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: {
    nc: NatsConnection; cluster: string; jobId: string; log: Logger; desired: number;
    agents: () => AgentRegistry | undefined;
    /** Converges the root's own worker children to these ids. */
    convergeRoot: (ids: readonly string[]) => Promise<void>;
  }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#jobId = opts.jobId;
    this.#log = opts.log;
    this.#agents = opts.agents;
    this.#convergeRoot = opts.convergeRoot;
    this.#desired = opts.desired;
    this.#placement = { jobId: opts.jobId, revision: 0, hosts: { [ROOT_HOST]: Array.from({ length: opts.desired }, (_, i) => `worker-${i}`) } };
  }

  /** The desired worker count now. */
  get desired(): number {
    return this.#desired;
  }

  /** The placement now. */
  get placement(): WorkerPlacement {
    return this.#placement;
  }

  /** Sets a new desired count and re-places; resolves once the root converged. */
  setDesired(workers: number): Promise<void> {
    this.#desired = workers;
    return this.replace(`desired workers ${workers}`);
  }

  /**
   * Computes the placement again (after a change of agents); resolves once recorded and
   * the root converged. `republish` records a new revision even when nothing moved: an
   * agent that joins again after a fence runs nothing until it sees one.
   */
  replace(why: string, republish = false): Promise<void> {
    const run = this.#queue.then(() => this.#apply(why, republish));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(why: string, republish = false): Promise<void> {
    const hosts = [{ id: ROOT_HOST, capacity: ROOT_CAPACITY }, ...(this.#agents()?.liveHosts() ?? [])];
    const next = placeWorkers({ desired: this.#desired, hosts, current: this.#placement.hosts });
    // Hosts with nothing placed are left out: an agent reads a missing entry as "run none".
    const compact = Object.fromEntries(Object.entries(next).filter(([h, ids]) => ids.length > 0 || h === ROOT_HOST));
    const changed = republish || JSON.stringify(compact) !== JSON.stringify(this.#placement.hosts);
    if (changed) {
      this.#placement = { jobId: this.#jobId, revision: this.#placement.revision + 1, hosts: compact };
      this.#log.info({ why, revision: this.#placement.revision, hosts: compact }, "workers placed");
    }
    // The root's own workers need not wait for the KV write (the agents' signal).
    await Promise.all([changed ? this.#record() : undefined, this.#convergeRoot(this.#placement.hosts[ROOT_HOST] ?? [])]);
  }

  /** Writes the placement where agents watch it; the coordinator created the bucket when it started. */
  async #record(): Promise<void> {
    try {
      this.#kv ??= await new Kvm(this.#nc).open(stateBucket(this.#cluster));
      await this.#kv.put(StateKey.Placement, encoder.encode(JSON.stringify(this.#placement)));
    } catch (err) {
      this.#log.warn({ err }, "could not record the worker placement; agents keep the previous one until the next change");
    }
  }
}
