/**
 * The coordinator's side of partition placement: the shards' load reports (kept on a
 * ShardLoadBoard), the rebalancer and shard scaling built over them, and the operator
 * requests they answer: the rebalance plan (dry run), a rebalance round now, and
 * `colony scale shards=N`.
 */
import { NotReadyError, subjects } from "../../protocols/index.js";
import type { ActorContext } from "../runtime/actor-host.js";
import { HandoffStore } from "../runtime/handoff-store.js";
import type { PartitionPlacement } from "./partition-placement.js";
import { DEFAULT_MAX_MOVES, DEFAULT_TARGET_RATIO } from "./rebalance-plan.js";
import { Rebalancer } from "./rebalancer.js";
import { ShardLoadBoard } from "./shard-load-board.js";
import { ShardScaling } from "./shard-scaling.js";

/** Serves load reports and placement requests; returns the rebalancer (ticked while training) and shard scaling. */
export function servePlacement(opts: {
  ctx: ActorContext; placement: PartitionPlacement; clock: { now(): number };
  /** Whether the job is training now, and the coordinator's state for refusals. */
  training: () => boolean; stateLabel: () => string;
  /** Shards caught up with the log (may take partitions), and every shard heard from lately. */
  serving: () => string[]; live: () => string[];
}): { rebalancer: Rebalancer; shardScaling: ShardScaling; loads: ShardLoadBoard } {
  const { ctx, placement, clock, training, stateLabel, serving, live } = opts;
  const { config, nc, log, counters, mailbox, cluster } = ctx;
  const rebalance = config.rebalance;
  const loads = new ShardLoadBoard({ clock });
  const shardScaling = new ShardScaling({
    placement, board: loads, handoffs: new HandoffStore({ nc, cluster, jobId: config.jobId }), servingShards: serving, log, counters,
    desired: config.shards.count, targetRatio: rebalance?.targetRatio ?? DEFAULT_TARGET_RATIO,
  });
  const rebalancer = new Rebalancer({
    board: loads, placement, liveShards: () => serving().filter((id) => shardScaling.keeps(id)), log, counters, clock,
    options: {
      auto: rebalance?.auto ?? false, intervalMs: rebalance?.intervalMs ?? 5000, cooldownMs: rebalance?.cooldownMs ?? 30_000,
      targetRatio: rebalance?.targetRatio ?? DEFAULT_TARGET_RATIO, maxMoves: rebalance?.maxMoves ?? DEFAULT_MAX_MOVES,
    },
  });

  mailbox.serve(subjects.load(cluster), ["ps.load"], (m) => {
    loads.update(m);
    return undefined;
  });

  // A dry run: the plan is computed from the latest reports and returned; nothing moves.
  mailbox.serve(subjects.rebalancePlan(cluster), ["ctl.rebalance.plan"], async (m) => {
    const map = await placement.current();
    if (!map) throw new NotReadyError("the partition map of this job");
    counters.inc("rebalance.plans");
    return loads.plan(map, live(), { targetRatio: m.targetRatio ?? rebalance?.targetRatio, maxMoves: m.maxMoves ?? rebalance?.maxMoves });
  });

  // A round now, for an operator: plan as the dry run does, then move.
  mailbox.serve(subjects.rebalanceRun(cluster), ["ctl.rebalance.run"], async (m) => {
    if (!training()) throw new NotReadyError(`rebalancing (the job is ${stateLabel()}, not training)`);
    return rebalancer.round("operator", { targetRatio: m.targetRatio, maxMoves: m.maxMoves });
  });

  mailbox.serve(subjects.scaleShards(cluster), ["ctl.scale.shards"], async (m) => {
    if (!training()) return { v: 1, type: "ctl.scaled.shards", accepted: false, shards: m.shards, reason: `the job is ${stateLabel()}, not training` };
    return shardScaling.scale(m.shards);
  });

  return { rebalancer, shardScaling, loads };
}
