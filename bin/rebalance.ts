/**
 * `colony rebalance --dry-run [--json]`: asks the coordinator for the rebalance plan it
 * would run now and prints each shard's load (rows/s), max/mean before and predicted
 * after, and the moves. Live migration is not built yet: without --dry-run the command
 * says so and changes nothing.
 */
import { request } from "../actors/client.js";
import { subjects, TerminalError, type RebalancePlanReply } from "../protocols/index.js";
import { connectToCluster, type ClusterTarget } from "./cluster-client.js";

/** Refuses a live rebalance: what exists is the plan, not the migration. */
export class LiveRebalanceNotBuiltError extends TerminalError {
  constructor() {
    super("rebalance.not_built", "live rebalancing (moving partitions between shards) is not built yet; run `colony rebalance --dry-run` to see the plan it would run");
  }
}

/** Fetches and prints the plan; resolves with the exit code. */
export async function rebalanceCommand(args: ClusterTarget & { dryRun: boolean; json: boolean; targetRatio?: number; maxMoves?: number }): Promise<number> {
  if (!args.dryRun) throw new LiveRebalanceNotBuiltError();
  const c = await connectToCluster(args);
  try {
    const plan = await request(c.nc, subjects.rebalancePlan(c.cluster), {
      v: 1, type: "ctl.rebalance.plan", targetRatio: args.targetRatio, maxMoves: args.maxMoves,
    }, ["ctl.rebalance.planned"], { timeoutMs: 5000 });
    process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, dryRun: true, ...plan })}\n` : renderPlan(c.cluster, plan));
    return 0;
  } finally {
    await c.nc.close();
  }
}

const rate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

/** The human-readable plan. */
export function renderPlan(cluster: string, p: RebalancePlanReply): string {
  const total = p.shards.reduce((a, s) => a + s.rowsPerSec, 0);
  const mean = p.shards.length > 0 ? total / p.shards.length : 0;
  const lines = [
    `cluster ${cluster}: rebalance plan (dry run, nothing moves) at map epoch ${p.epoch}`,
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
