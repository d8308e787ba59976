/** `colony status [--json]`: members and their states, task progress, speed, loss, partitions per shard, shard load and hot keys, restarts. */
import { STALENESS_HISTOGRAM } from "../actors/client.js";
import type { AgentStatus, ShardLoadStatus, StatusReply } from "../protocols/index.js";
import { connectToCluster, fetchStatus, type ClusterTarget } from "./cluster-client.js";
import { progressLine } from "./progress-line.js";

/** Prints the status of a running cluster; resolves with the exit code. */
export async function statusCommand(args: ClusterTarget & { json: boolean }): Promise<number> {
  const c = await connectToCluster(args);
  try {
    const s = await fetchStatus(c);
    const metrics = c.entry?.metricsUrl ? `metrics ${c.entry.metricsUrl}\n` : "";
    process.stdout.write(args.json ? `${JSON.stringify(s)}\n` : `${renderStatus(s)}${metrics}`);
    return 0;
  } finally {
    await c.nc.close();
  }
}

/** The human-readable status page. */
export function renderStatus(s: StatusReply): string {
  const lines = [
    `cluster ${s.cluster}  nats ${s.natsUrl}  supervisor pid ${s.supervisorPid}  up ${Math.round(s.uptimeMs / 1000)} s`,
    `run dir ${s.runDir}`,
    s.progress ? progressLine(s.progress, 160) : "progress: not training yet",
    ...heldOutLine(s),
    ...stalenessLine(s),
    ...rebalanceLines(s),
    `workers desired ${s.desiredWorkers}, running ${s.members.filter((m) => m.kind === "worker").length}; restarts ${s.restarts}; map epoch ${s.mapEpoch}`,
    "",
    `${"actor".padEnd(14)}${"state".padEnd(16)}${"pid".padStart(8)}  ${"host".padEnd(12)}${"restarts".padStart(9)}${"heartbeat".padStart(11)}  partitions`,
  ];
  for (const m of s.members) {
    const hb = m.silentMs < 0 ? "-" : `${(m.silentMs / 1000).toFixed(1)}s ago`;
    const parts = m.kind === "shard" ? String(s.partitions[m.id] ?? 0) : "";
    lines.push(`${m.id.padEnd(14)}${m.state.padEnd(16)}${String(m.pid).padStart(8)}  ${m.host.padEnd(12)}${String(m.restarts).padStart(9)}${hb.padStart(11)}  ${parts}`);
  }
  if (s.agents && s.agents.length > 0) lines.push("", ...renderAgents(s.agents));
  if (s.shardLoad && s.shardLoad.length > 0) lines.push("", ...renderShardLoad(s.shardLoad));
  if (s.events.length > 0) lines.push("", "recent events:", ...s.events.slice(-10).map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** One line per agent (`colony agent`): its state, pid, workers placed on it and heartbeat age. */
function renderAgents(agents: readonly AgentStatus[]): string[] {
  return ["agents:", ...agents.map((a) => `  ${a.id.padEnd(20)}${a.state.padEnd(6)} pid ${String(a.pid).padStart(7)}  workers ${a.workers.length}/${a.capacity}${a.workers.length ? ` (${a.workers.join(", ")})` : ""}  heartbeat ${(a.silentMs / 1000).toFixed(1)}s ago`)];
}

/** The latest held-out evaluation, when the coordinator takes them. */
function heldOutLine(s: StatusReply): string[] {
  const e = s.progress?.heldOut;
  if (!e) return [];
  const age = Math.max(0, Math.round((Date.now() - e.at) / 1000));
  return [`held-out AUC ${e.auc.toFixed(4)}  logloss ${e.logloss.toFixed(4)}  on ${e.rows.toLocaleString("en-US")} rows, at ${e.rowsDone.toLocaleString("en-US")} rows trained (${age} s ago)`];
}

/** What the rebalancer did, and its latest decision that moved partitions. */
function rebalanceLines(s: StatusReply): string[] {
  const r = s.progress?.rebalance;
  if (!r) return [];
  const lines = [`rebalancer: ${r.rounds} round(s), ${r.moves} partition move(s)`];
  if (r.last) {
    const age = Math.max(0, Math.round((Date.now() - r.last.at) / 1000));
    const moved = r.last.moved.length > 6 ? `${r.last.moved.slice(0, 6).join(", ")}, …` : r.last.moved.join(", ");
    lines.push(`  last move (${r.last.trigger}, ${age} s ago, map epoch ${r.last.epoch}): ${moved}; max/mean ${r.last.ratioBefore.toFixed(3)} → ${r.last.ratioAfter.toFixed(3)} predicted; ${r.last.explanation}`);
  }
  return lines;
}

/** Each worker's mean async staleness in update-log entries, from its heartbeat histogram. */
function stalenessLine(s: StatusReply): string[] {
  const parts = s.members.flatMap((m) => {
    const count = m.counters[`hist.${STALENESS_HISTOGRAM}.count`] ?? 0;
    return count > 0 ? [`${m.id} ${Math.round((m.counters[`hist.${STALENESS_HISTOGRAM}.sum`] ?? 0) / count)}`] : [];
  });
  return parts.length > 0 ? [`staleness (mean update-log entries behind, per batch): ${parts.join(", ")}`] : [];
}

const rate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

/** Shard load lines: rows/s pulled and pushed, × mean, and each shard's three hottest keys. */
function renderShardLoad(loads: readonly ShardLoadStatus[]): string[] {
  const total = (l: ShardLoadStatus): number => l.pullRowsPerSec + l.pushRowsPerSec;
  const mean = loads.reduce((a, l) => a + total(l), 0) / loads.length;
  const max = Math.max(...loads.map(total));
  const lines = [`shard load (rows/s pulled + pushed, decayed): max/mean ${mean > 0 ? (max / mean).toFixed(2) : "-"}`];
  for (const l of loads) {
    const hot = l.hotKeys.slice(0, 3).map((k) => `${k.table}:${k.id} ${rate(k.rate)}/s`).join(", ");
    lines.push(`  ${l.shardId.padEnd(12)}${rate(total(l)).padStart(9)} rows/s (${rate(l.pullRowsPerSec)} pulled, ${rate(l.pushRowsPerSec)} pushed)  ${(mean > 0 ? total(l) / mean : 0).toFixed(2)}× mean  hot: ${hot || "-"}`);
  }
  return lines;
}
