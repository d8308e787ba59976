/** The rebalance benchmark's record and its Markdown page (see rebalance.ts). */
import { describeMachine, type MachineInfo } from "./machine.js";
import { quantile, type MigrationPause } from "./migration-pauses.js";

/** Load and throughput over one measurement window. */
export interface LoadWindow {
  readonly seconds: number;
  /** Rows served per second (pulled + applied) by each shard. */
  readonly perShard: Record<string, number>;
  readonly maxOverMean: number;
  readonly samplesPerSec: number;
  /** Partitions per shard at the end of the window. */
  readonly partitions: Record<string, number>;
}

export interface RebalanceRecord {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly command: string;
  readonly zipf: number;
  readonly shards: number;
  readonly partitions: number;
  readonly rows: number;
  readonly windowMs: number;
  readonly target: number;
  readonly before: LoadWindow;
  readonly after: LoadWindow;
  /** Operator rounds in order; `forced` ones (target 1.0) come after the "after" window, to time moves. */
  readonly rounds: readonly { target: number; forced: boolean; moves: number; ratioBefore: number; ratioAfter: number; verdict: string; executed: boolean }[];
  readonly pauses: readonly MigrationPause[];
}

/** The figures a one-line summary needs. */
export function rebalanceSummary(r: RebalanceRecord): Record<string, number | string> {
  const ms = r.pauses.map((p) => p.pauseMs);
  return {
    zipf: r.zipf, shards: r.shards, partitions: r.partitions, maxOverMeanBefore: round(r.before.maxOverMean, 3), maxOverMeanAfter: round(r.after.maxOverMean, 3),
    samplesPerSecBefore: Math.round(r.before.samplesPerSec), samplesPerSecAfter: Math.round(r.after.samplesPerSec),
    moves: r.pauses.length, pauseP50Ms: round(quantile(ms, 0.5), 1), pauseP99Ms: round(quantile(ms, 0.99), 1), pauseMaxMs: round(Math.max(0, ...ms), 1),
  };
}

const round = (x: number, digits: number): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
const n0 = (x: number): string => Math.round(x).toLocaleString("en-US");

/** The Markdown page. */
export function rebalanceMarkdown(r: RebalanceRecord): string {
  const s = rebalanceSummary(r);
  const shards = Object.keys(r.before.perShard).sort();
  const lines = [
    `# Benchmark: live rebalancing, Zipf ${r.zipf}, ${r.shards} shards, ${r.partitions} partitions`,
    "",
    `\`examples/ctr.yaml\` (dlrm-small, 2 workers) on ${n0(r.rows)} synthetic CTR rows with Zipf(${r.zipf}) ids, ${r.partitions} partitions; static hash placement first, then operator rounds of \`colony rebalance --target ${r.target}\` until the plan is met or stops helping; then rounds at target 1.0 that force moves, to time them. Load = rows served per second per shard (rows pulled + rows applied, the shards' own counters) over ${r.windowMs / 1000} s windows. Produced by \`${r.command}\` on ${r.startedAt}.`,
    "",
    "| | before (static hashing) | after rebalancing | floor (issue 6) |",
    "| --- | ---: | ---: | ---: |",
    `| max/mean shard load | ${r.before.maxOverMean.toFixed(3)} | ${r.after.maxOverMean.toFixed(3)} | ≤ 1.15 after |`,
    `| training throughput, samples/s | ${n0(r.before.samplesPerSec)} | ${n0(r.after.samplesPerSec)} | |`,
    `| partitions moved to reach the target | | ${r.rounds.filter((x) => !x.forced).reduce((a, x) => a + x.moves, 0)} | |`,
    `| partitions moved in all (with the forced rounds) | | ${r.pauses.length} | |`,
    `| pull pause per moved partition, p50 / p99 / max, ms | | ${s["pauseP50Ms"]} / ${s["pauseP99Ms"]} / ${s["pauseMaxMs"]} | p99 < 200 |`,
    "",
    "| shard | rows/s before | partitions before | rows/s after | partitions after |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...shards.map((id) => `| ${id} | ${n0(r.before.perShard[id] ?? 0)} | ${r.before.partitions[id] ?? 0} | ${n0(r.after.perShard[id] ?? 0)} | ${r.after.partitions[id] ?? 0} |`),
    "",
    ...(r.rounds.some((x) => !x.forced && x.executed) ? [] : [
      `Static hashing already met the target (max/mean ${r.before.maxOverMean.toFixed(3)}), so nothing moved before the "after" window: the throughput difference between the two windows is the machine (load average ${r.machine.loadAverage1m} at the start) and the job warming up, not rebalancing.`,
      "",
    ]),
    "Rounds (the plan's predicted max/mean, from the shards' decayed rates):",
    "",
    ...r.rounds.map((x, i) => `${i + 1}. target ${x.target}${x.forced ? " (forced, after the measurement)" : ""}: ${x.executed ? `${x.moves} move(s)` : "nothing moved"}, ${x.ratioBefore.toFixed(3)} → ${x.ratioAfter.toFixed(3)} (${x.verdict})`),
    "",
    "The pause is from the old owner's handoff line (it stops serving the partition at the `log.map` entry) to the new owner's (it has loaded the handed-over rows and serves them); meanwhile pulls of that partition wait or are redirected. Pushes never pause: they are appended to the update log and applied by whichever shard owns the partition at their position.",
    "",
    `Machine: ${describeMachine(r.machine)}.`,
    "",
  ];
  return lines.join("\n");
}
