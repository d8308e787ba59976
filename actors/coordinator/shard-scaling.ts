/**
 * `colony scale shards=N` on the coordinator's side. Growing: the count is recorded
 * (supervisors start the new shards) and, once every new shard serves, partitions move
 * onto them (one placement, planned by load; by partition count before any load is
 * measured). Shrinking: every partition of a leaving shard (the highest-numbered ones)
 * moves to the least-loaded remaining shard in one placement, the coordinator waits
 * until each of those handoffs is stored, and only then records the count, so the
 * supervisors stop shards that have nothing left to give.
 */
import type { Logger } from "pino";
import type { ShardScaled } from "../../protocols/index.js";
import type { Counters } from "../runtime/counters.js";
import type { HandoffStore } from "../runtime/handoff-store.js";
import type { JobState } from "./job-state.js";
import type { PartitionPlacement } from "./partition-placement.js";
import { planRebalance } from "./rebalance-plan.js";
import type { ShardLoadBoard } from "./shard-load-board.js";

/** How long a scale waits for new shards to serve, or for a draining shard's handoffs. */
const SCALE_WAIT_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Number of a shard id (`shard-3` → 3). */
export const shardIndex = (id: string): number => Number(id.slice(id.lastIndexOf("-") + 1));

export class ShardScaling {
  readonly #placement: PartitionPlacement;
  readonly #board: ShardLoadBoard;
  readonly #handoffs: HandoffStore;
  readonly #servingShards: () => string[];
  readonly #log: Logger;
  readonly #counters: Counters;
  readonly #targetRatio: number;
  #state: JobState | undefined;
  #desired: number;
  #scaling: Promise<unknown> = Promise.resolve();

  constructor(opts: {
    placement: PartitionPlacement; board: ShardLoadBoard; handoffs: HandoffStore; servingShards: () => string[];
    log: Logger; counters: Counters; desired: number; targetRatio: number;
  }) {
    this.#placement = opts.placement;
    this.#board = opts.board;
    this.#handoffs = opts.handoffs;
    this.#servingShards = opts.servingShards;
    this.#log = opts.log;
    this.#counters = opts.counters;
    this.#desired = opts.desired;
    this.#targetRatio = opts.targetRatio;
  }

  /** The shard count the job converges to. */
  get desired(): number {
    return this.#desired;
  }

  /** Takes the durable state once open, and the count recorded there (a restarted coordinator). */
  attach(state: JobState, recorded: number | undefined): void {
    this.#state = state;
    if (recorded !== undefined) this.#desired = recorded;
  }

  /** Whether a shard may take partitions: it is not one a scale-down is removing. */
  keeps(shardId: string): boolean {
    return shardIndex(shardId) < this.#desired;
  }

  /** Scales to `n` shards (one scale at a time); resolves with the answer for the operator. */
  scale(n: number): Promise<ShardScaled> {
    const next = this.#scaling.then(() => this.#scale(n));
    this.#scaling = next.catch(() => undefined);
    return next;
  }

  async #scale(n: number): Promise<ShardScaled> {
    const state = this.#state;
    if (!state) return { v: 1, type: "ctl.scaled.shards", accepted: false, shards: n, reason: "the coordinator is still starting; retry" };
    const from = this.#desired;
    if (n === from) return { v: 1, type: "ctl.scaled.shards", accepted: true, shards: n, drained: 0 };
    this.#counters.inc("scale.shard_requests");
    if (n > from) {
      this.#desired = n;
      await state.setDesiredShards(n);
      this.#log.info({ from, to: n }, "desired shard count recorded; partitions move once the new shards serve");
      void this.#spreadOnto(from, n).catch((err: unknown) => this.#log.error({ err }, "moving partitions onto the new shards failed"));
      return { v: 1, type: "ctl.scaled.shards", accepted: true, shards: n, drained: 0 };
    }
    const drained = await this.#drain(from, n);
    this.#desired = n;
    await state.setDesiredShards(n);
    this.#log.info({ from, to: n, drained }, "desired shard count recorded after draining the leaving shards");
    return { v: 1, type: "ctl.scaled.shards", accepted: true, shards: n, drained };
  }

  /** Waits for shards from..n-1 to serve, then moves partitions onto them. */
  async #spreadOnto(from: number, n: number): Promise<void> {
    const until = Date.now() + SCALE_WAIT_MS;
    const wanted = (): boolean => {
      const serving = new Set(this.#servingShards());
      return Array.from({ length: n - from }, (_, i) => `shard-${from + i}`).every((id) => serving.has(id));
    };
    while (!wanted()) {
      if (Date.now() > until || this.#desired !== n) throw new Error(`new shards shard-${from}..shard-${n - 1} did not all serve within ${SCALE_WAIT_MS} ms`);
      await sleep(200);
    }
    const map = await this.#placement.current();
    if (!map) throw new Error("no partition map to spread");
    const shards = this.#servingShards().filter((id) => this.keeps(id));
    const plan = planRebalance({ owners: map.owners, load: this.#load(map.partitions), shards, targetRatio: this.#targetRatio, maxMoves: map.partitions });
    if (plan.moves.length === 0) return;
    const owners = [...map.owners];
    for (const m of plan.moves) owners[m.partition] = m.to;
    await this.#placement.publish(owners, `scale shards ${from} → ${n}: ${plan.moves.length} partition(s) onto the new shards`);
    this.#counters.inc("scale.partitions_moved", plan.moves.length);
  }

  /** Moves every partition of shards n.. onto the others; resolves once their handoffs are stored. */
  async #drain(from: number, n: number): Promise<number> {
    const map = await this.#placement.current();
    if (!map) throw new Error("no partition map to drain");
    const remaining = this.#servingShards().filter((id) => shardIndex(id) < n);
    if (remaining.length === 0) throw new Error(`none of shard-0..shard-${n - 1} is serving: nowhere to move partitions`);
    const load = this.#load(map.partitions);
    const held = new Map(remaining.map((id) => [id, 0]));
    map.owners.forEach((o, p) => { if (held.has(o)) held.set(o, held.get(o)! + load[p]!); });
    const leaving = map.owners.flatMap((o, p) => (held.has(o) ? [] : [p])).sort((a, b) => load[b]! - load[a]!);
    const owners = [...map.owners];
    // Hottest first, each to the least-loaded remaining shard.
    for (const p of leaving) {
      const to = [...held].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]![0];
      owners[p] = to;
      held.set(to, held.get(to)! + load[p]!);
    }
    if (leaving.length === 0) return 0;
    const next = await this.#placement.publish(owners, `scale shards ${from} → ${n}: draining ${[...new Set(leaving.map((p) => map.owners[p]))].sort().join(", ")}`);
    const until = Date.now() + SCALE_WAIT_MS;
    for (const p of leaving) {
      while (!(await this.#handoffs.stored(p, next.logSeq!))) {
        if (Date.now() > until) throw new Error(`the handoff of partition ${p} was not stored within ${SCALE_WAIT_MS} ms; the leaving shards keep running`);
        await sleep(100);
      }
    }
    this.#counters.inc("scale.partitions_moved", leaving.length);
    return leaving.length;
  }

  /** Measured load per partition, or 1 each before anything is measured (placement by count). */
  #load(partitions: number): Float64Array {
    const { rows } = this.#board.partitionLoad(partitions);
    if (rows.some((x) => x > 0)) return rows;
    return new Float64Array(partitions).fill(1);
  }
}
