/**
 * The rebalancer: every `intervalMs` (once `cooldownMs` has passed since the last
 * moves, so the shards' decayed rates have re-measured the partitions that moved) it
 * plans from the latest load reports and, when the plan lowers max/mean shard load,
 * moves the planned partitions in one new placement (partition-placement.ts). An
 * operator can run a round now (`colony rebalance`). Every round that moved something,
 * and why, is kept in a short decision log, logged, and shown by `colony status`.
 */
import type { Logger } from "pino";
import type { PartitionMap, RebalancePlanReply, RebalanceSummary } from "../../protocols/index.js";
import type { Counters } from "../runtime/counters.js";
import type { PartitionPlacement } from "./partition-placement.js";
import type { ShardLoadBoard } from "./shard-load-board.js";

/** One round that moved partitions. */
export interface RebalanceDecision {
  readonly at: number;
  /** What started it: the rebalancer's own schedule, or an operator. */
  readonly trigger: "auto" | "operator";
  /** Epoch of the map the moves produced. */
  readonly epoch: number;
  readonly moves: { readonly partition: number; readonly from: string; readonly to: string; readonly load: number }[];
  readonly ratioBefore: number;
  readonly ratioAfter: number;
  readonly explanation: string;
}

export interface RebalancerOptions {
  /** Run rounds on a schedule (false: only when an operator asks). */
  readonly auto: boolean;
  readonly intervalMs: number;
  readonly cooldownMs: number;
  readonly targetRatio: number;
  readonly maxMoves: number;
}

/** Decisions kept for status. */
const KEPT_DECISIONS = 16;

export class Rebalancer {
  readonly #board: ShardLoadBoard;
  readonly #placement: PartitionPlacement;
  readonly #liveShards: () => string[];
  readonly #log: Logger;
  readonly #counters: Counters;
  readonly #clock: { now(): number };
  readonly #options: RebalancerOptions;
  readonly #decisions: RebalanceDecision[] = [];
  #lastRound: number;
  #lastMoves = Number.NEGATIVE_INFINITY;
  #running: Promise<unknown> | undefined;
  #rounds = 0;
  #moved = 0;

  constructor(opts: {
    board: ShardLoadBoard; placement: PartitionPlacement; liveShards: () => string[]; log: Logger; counters: Counters;
    clock: { now(): number }; options: RebalancerOptions;
  }) {
    this.#board = opts.board;
    this.#placement = opts.placement;
    this.#liveShards = opts.liveShards;
    this.#log = opts.log;
    this.#counters = opts.counters;
    this.#clock = opts.clock;
    this.#options = opts.options;
    // The first automatic round waits one cooldown: rates need that long to mean something.
    this.#lastRound = this.#clock.now();
    this.#lastMoves = this.#clock.now();
  }

  /** The latest rounds that moved partitions, newest last. */
  get decisions(): readonly RebalanceDecision[] {
    return this.#decisions;
  }

  /** Rounds run so far (moving or not). */
  get rounds(): number {
    return this.#rounds;
  }

  /** What status shows: rounds, partitions moved, and the latest decision that moved any. */
  summary(): RebalanceSummary | undefined {
    if (this.#rounds === 0) return undefined;
    const last = this.#decisions.at(-1);
    return {
      rounds: this.#rounds, moves: this.#moved,
      ...(last ? {
        last: {
          at: last.at, trigger: last.trigger, epoch: last.epoch, moves: last.moves.length, ratioBefore: last.ratioBefore, ratioAfter: last.ratioAfter,
          moved: last.moves.map((m) => `${m.partition}:${m.from}→${m.to}`), explanation: last.explanation,
        },
      } : {}),
    };
  }

  /** Called about once a second while training: runs an automatic round when one is due. */
  tick(): void {
    if (!this.#options.auto || this.#running) return;
    const now = this.#clock.now();
    if (now - this.#lastRound < this.#options.intervalMs || now - this.#lastMoves < this.#options.cooldownMs) return;
    void this.round("auto").catch((err: unknown) => this.#log.warn({ err }, "rebalance round failed; the next one tries again"));
  }

  /** Plans from the latest reports and moves what the plan says; resolves with the plan and whether it ran. */
  async round(trigger: RebalanceDecision["trigger"], limits: { targetRatio?: number; maxMoves?: number } = {}): Promise<RebalancePlanReply> {
    if (this.#running) {
      await this.#running.catch(() => undefined);
    }
    const run = this.#round(trigger, limits);
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = undefined;
    }
  }

  async #round(trigger: RebalanceDecision["trigger"], limits: { targetRatio?: number; maxMoves?: number }): Promise<RebalancePlanReply> {
    this.#lastRound = this.#clock.now();
    this.#rounds++;
    this.#counters.inc("rebalance.rounds");
    const map = await this.#placement.current();
    if (!map) return { ...emptyPlan(), executed: false, notExecuted: "no partition map is published yet" };
    const plan = this.#board.plan(map, this.#liveShards(), {
      targetRatio: limits.targetRatio ?? this.#options.targetRatio, maxMoves: limits.maxMoves ?? this.#options.maxMoves,
    });
    const why = whyNot(plan);
    if (why) {
      this.#log.debug({ trigger, verdict: plan.verdict, ratio: plan.ratioBefore, why }, "rebalance round: nothing to move");
      return { ...plan, executed: false, notExecuted: why };
    }
    const owners = [...map.owners];
    for (const m of plan.moves) owners[m.partition] = m.to;
    const reason = `rebalance (${trigger}): max/mean ${plan.ratioBefore.toFixed(3)} → ${plan.ratioAfter.toFixed(3)} predicted; ${plan.explanation}`;
    const next: PartitionMap = await this.#placement.publish(owners, reason);
    this.#lastMoves = this.#clock.now();
    this.#counters.inc("rebalance.moves", plan.moves.length);
    this.#moved += plan.moves.length;
    const decision: RebalanceDecision = {
      at: this.#lastMoves, trigger, epoch: next.epoch, ratioBefore: plan.ratioBefore, ratioAfter: plan.ratioAfter, explanation: plan.explanation,
      moves: plan.moves.map((m) => ({ partition: m.partition, from: m.from, to: m.to, load: m.load })),
    };
    this.#decisions.push(decision);
    if (this.#decisions.length > KEPT_DECISIONS) this.#decisions.shift();
    this.#log.info({ ...decision, moves: decision.moves.map((m) => `${m.partition}:${m.from}→${m.to}`) }, "partitions moved to even out shard load");
    return { ...plan, epoch: next.epoch, executed: true };
  }
}

/** Why a plan is not worth running, or undefined when it is. */
function whyNot(plan: RebalancePlanReply): string | undefined {
  if (plan.moves.length === 0) return `nothing to move (${plan.verdict}): ${plan.explanation}`;
  if (plan.unreported.length > 0) return `no fresh load report from ${plan.unreported.join(", ")}: their load is unknown`;
  if (!(plan.ratioAfter < plan.ratioBefore)) return `the moves would not lower max/mean (${plan.ratioBefore.toFixed(3)})`;
  return undefined;
}

function emptyPlan(): RebalancePlanReply {
  return {
    v: 1, type: "ctl.rebalance.planned", epoch: 0, targetRatio: 0, maxMoves: 0, shards: [], ratioBefore: 1, ratioAfter: 1,
    moves: [], verdict: "no_load", explanation: "no partition map yet", hotKeys: [], unreported: [],
  };
}
