/**
 * `colony rebalance [--dry-run] [--json]`: asks the coordinator for the rebalance plan
 * (each shard's load in rows/s, max/mean before and predicted after, the moves) and,
 * without --dry-run, to run it now: the planned partitions move live (a new map epoch;
 * the shards hand them over at that point of the update log).
 */
import { request } from "../actors/client.js";
import { subjects, type RebalancePlanReply } from "../protocols/index.js";
import { connectToCluster, type ClusterTarget } from "./cluster-client.js";

/** Fetches (and without --dry-run, runs) the plan and prints it; resolves with the exit code. */
export async function rebalanceCommand(args: ClusterTarget & { dryRun: boolean; json: boolean; targetRatio?: number; maxMoves?: number }): Promise<number> {
  const c = await connectToCluster(args);
  try {
    const limits = { targetRatio: args.targetRatio, maxMoves: args.maxMoves };
    const plan = args.dryRun
      ? await request(c.nc, subjects.rebalancePlan(c.cluster), { v: 1, type: "ctl.rebalance.plan", ...limits }, ["ctl.rebalance.planned"], { timeoutMs: 5000 })
      : await request(c.nc, subjects.rebalanceRun(c.cluster), { v: 1, type: "ctl.rebalance.run", ...limits }, ["ctl.rebalance.planned"], { timeoutMs: 30_000 });
    process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, dryRun: args.dryRun, ...plan })}\n` : renderPlan(c.cluster, plan, args.dryRun));
    return 0;
  } finally {
    await c.nc.close();
  }
}

const rate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

/** The human-readable plan. */
export function renderPlan(cluster: string, p: RebalancePlanReply, dryRun = true): string {
  const total = p.shards.reduce((a, s) => a + s.rowsPerSec, 0);
  const mean = p.shards.length > 0 ? total / p.shards.length : 0;
  const lines = [
    dryRun
      ? `cluster ${cluster}: rebalance plan (dry run, nothing moves) at map epoch ${p.epoch}`
      : p.executed
        ? `cluster ${cluster}: rebalance run: ${p.moves.length} partition(s) moving, now map epoch ${p.epoch}`
        : `cluster ${cluster}: rebalance run: nothing moved (${p.notExecuted ?? p.verdict})`,
    "",
    `${"shard".padEnd(14)}${"rows/s".padStart(10)}${"bytes/s".padStart(11)}${"× mean".padStart(8)}${"partitions".padStart(12)}  report`,
  ];
  for (const s of p.shards) {
    const age = s.reportAgeMs < 0 ? "none yet" : `${(s.reportAgeMs / 1000).toFixed(1)} s ago`;
    lines.push(`${s.shardId.padEnd(14)}${rate(s.rowsPerSec).padStart(10)}${rate(s.bytesPerSec).padStart(11)}${(mean > 0 ? (s.rowsPerSec / mean).toFixed(2) : "-").padStart(8)}${String(s.partitions).padStart(12)}  ${age}`);
  }
  lines.push("", `max/mean ${p.ratioBefore.toFixed(3)} now, ${p.ratioAfter.toFixed(3)} predicted after ${p.moves.length} move(s); target ${p.targetRatio}, at most ${p.maxMoves} move(s) a round`);
  lines.push(`verdict: ${p.verdict}: ${p.explanation}`);
  if (p.unreported.length > 0) lines.push(`no fresh load report from: ${p.unreported.join(", ")} (their partitions count as 0 rows/s)`);
  if (p.moves.length > 0) {
    lines.push("", "moves:");
    for (const m of p.moves) lines.push(`  partition ${String(m.partition).padStart(4)}  ${m.from} → ${m.to}  ${rate(m.load)} rows/s  (${m.reason})`);
  }
  if (p.hotKeys.length > 0) {
    lines.push("", "hottest keys (accesses/s, table:id, partition):");
    for (const k of p.hotKeys.slice(0, 10)) lines.push(`  ${rate(k.rate).padStart(8)}  ${k.table}:${k.id}  p${k.partition}`);
  }
  return `${lines.join("\n")}\n`;
}
