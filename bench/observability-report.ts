/**
 * The observability benchmark's record (bench/results/observability-overhead.json) and
 * its markdown page: the machine and its load, one row per pair (CPU per row inside the
 * loop, the job's CPU, wall-clock rate), the CPU verdict with both intervals, where the
 * extra CPU goes by process role, the wall-clock figure for reference, and the
 * in-process cost of the instrumentation.
 */
import type { InstrumentationCost } from "./instrumentation-cost.js";
import type { LoopCpu } from "./loop-cpu.js";
import type { LossEstimate } from "./loss-estimate.js";
import { describeMachine, type MachineInfo } from "./machine.js";
import type { RunSample, Setting } from "./observability-run.js";
import type { FloorVerdict } from "./paired-difference.js";
import type { ProcessRole } from "./process-tree-cpu.js";

/** The off run and one other setting's run of a round, and what that setting lost, three ways. */
export interface PairSample {
  readonly pair: number;
  /** The settings of the round in start order. */
  readonly order: string;
  readonly off: RunSample;
  readonly on: RunSample;
  /** The loop CPU the pair is judged by: side by side, each run's over the seconds both loops ran; back to back, each run's own loop. */
  readonly offLoopCpu: LoopCpu;
  readonly onLoopCpu: LoopCpu;
  /** One-minute load average after the pair. */
  readonly loadAverage1m: number;
  /** 1 − on/off of the steady training-loop rate. */
  readonly lostWall: number;
  /** 1 − off/on of the cluster's CPU seconds per row inside the loop (offLoopCpu, onLoopCpu). */
  readonly lostLoopCpu: number | undefined;
  /** The same over the whole job (start-up, checkpoint and final evaluation included). */
  readonly lostJobCpu: number | undefined;
  /** Each role's extra loop CPU per row with observability on, as a fraction of the cluster's CPU per row off. */
  readonly extraByRole: Readonly<Record<ProcessRole, number>> | undefined;
}

/** One setting against off, over all rounds. */
export interface Comparison {
  readonly setting: Setting;
  /** The `--set` overrides of the setting (beyond the Prometheus port). */
  readonly settings: readonly string[];
  readonly pairs: readonly PairSample[];
  readonly loopCpu: LossEstimate;
  /** The same from each run's own whole loop, not cut to the seconds the round's runs share. */
  readonly loopCpuOwnWindow: LossEstimate;
  /** The verdict both loop windows agree on (else not resolved). */
  readonly verdict: FloorVerdict;
  readonly jobCpu: LossEstimate;
  readonly wall: LossEstimate;
  /** Median over pairs of each role's extra loop CPU per row (fraction of the cluster's CPU per row off). */
  readonly extraByRoleMedian: Readonly<Record<ProcessRole, number>>;
  readonly medianOffSamplesPerSec: number;
  readonly medianOnSamplesPerSec: number;
  /** Largest (max − min) / median over runs of one setting. */
  readonly sameSettingSpread: { readonly wall: number; readonly loopCpu: number };
  readonly medianOffLoopCpuUsPerRow: number;
}

/** Everything the benchmark records. */
export interface OverheadRecord {
  readonly benchmark: "observability-overhead";
  readonly date: string;
  readonly machine: MachineInfo;
  readonly loadAverage1mAtStart: number;
  /** Lowest and highest one-minute load average seen at the start and after each round. */
  readonly loadAverage1mRange: readonly [number, number];
  readonly rows: number;
  readonly rounds: number;
  /** side-by-side: the runs of a round at once; back-to-back: one after the other. */
  readonly pairing: "side-by-side" | "back-to-back";
  readonly method: string;
  readonly command: string;
  /** on vs off (the verdict), on+eval vs off. */
  readonly comparisons: readonly Comparison[];
  /** Rounds left out because a job failed (with the first failure's message). */
  readonly failedRounds: readonly { readonly round: number; readonly reason: string }[];
  readonly instrumentation: InstrumentationCost;
  readonly stepMs: number;
  readonly tracingShareOfStep: number;
  readonly histogramsShareOfStep: number;
  readonly floorLostFraction: number;
  /** The verdict of the loop-CPU measure, on vs off (both windows agreeing). */
  readonly verdict: FloorVerdict;
}

const int = (x: number): string => Math.round(x).toLocaleString("en-US");
const pct = (x: number | undefined, digits = 1): string => (x === undefined || Number.isNaN(x) ? "–" : `${(x * 100).toFixed(digits)}%`);
const usPerRow = (c: LoopCpu): string => (c.available ? ((c.cpuSeconds / c.rows) * 1e6).toFixed(1) : "–");
const windowSeconds = (c: LoopCpu): string => (c.available ? c.seconds.toFixed(0) : "–");

/** "mean 1.2%, 95% bootstrap interval [a, b]; median …, 96.1% sign-test interval [c, d]". */
function estimateText(e: LossEstimate): string {
  const mean = e.mean.level > 0 ? `mean ${pct(e.mean.mean, 2)}, ${pct(e.mean.level, 0)} bootstrap interval [${pct(e.mean.low, 2)}, ${pct(e.mean.high, 2)}]` : `mean ${pct(e.mean.mean, 2)} (too few pairs for an interval)`;
  const median = e.median.coverage > 0 ? `median ${pct(e.median.median, 2)}, ${pct(e.median.coverage)} sign-test interval [${pct(e.median.low, 2)}, ${pct(e.median.high, 2)}]` : `median ${pct(e.median.median, 2)} (too few pairs for a sign-test interval)`;
  return `${mean}; ${median}`;
}

function verdictText(v: FloorVerdict, floor: number): string {
  return {
    met: `both intervals lie below ${pct(floor, 0)}: the floor is met`,
    missed: `both intervals lie above ${pct(floor, 0)}: the floor is missed`,
    not_resolved: `an interval contains ${pct(floor, 0)} (or they disagree): not resolved`,
  }[v];
}

const SETTING_TEXT: Readonly<Record<Setting, string>> = {
  off: "observability at its defaults (no endpoint, no traces, no held-out evaluation)",
  on: "Prometheus endpoint scraped every 1 s + traces to file at traceSampleRatio 0.01 (default); held-out evaluation at its default (off)",
  "on+eval": "as on, plus the held-out evaluation every 5 s on 2048 rows (observability.evalEveryMs=5000, evalRows=2048)",
};

const verdictWord: Readonly<Record<FloorVerdict, string>> = { met: "the floor is met", missed: "the floor is missed", not_resolved: "not resolved" };

function comparisonMarkdown(c: Comparison, floor: number, verdict: boolean): string[] {
  const roles = Object.entries(c.extraByRoleMedian).filter(([role]) => role !== "other") as [ProcessRole, number][];
  const lead = verdict ? "**Throughput lost" : "Throughput lost";
  return [
    `## ${c.setting} vs off`, "",
    `"${c.setting}": ${SETTING_TEXT[c.setting]}.`, "",
    "| round | start order | window, s | off, CPU-µs/row | on, CPU-µs/row | lost (CPU, loop) | off, job CPU-s | on, job CPU-s | lost (CPU, job) | off, samples/s | on, samples/s | lost (wall) | scrapes | evaluations | load |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...c.pairs.map((p) => `| ${p.pair} | ${p.order} | ${windowSeconds(p.offLoopCpu)} | ${usPerRow(p.offLoopCpu)} | ${usPerRow(p.onLoopCpu)} | ${pct(p.lostLoopCpu)} | ${p.off.jobCpu?.cpuSeconds.toFixed(1) ?? "–"} | `
      + `${p.on.jobCpu?.cpuSeconds.toFixed(1) ?? "–"} | ${pct(p.lostJobCpu)} | ${int(p.off.samplesPerSec)} | ${int(p.on.samplesPerSec)} | ${pct(p.lostWall)} | ${p.on.scrapes} | ${p.on.evaluations} | ${p.loadAverage1m.toFixed(2)} |`),
    "",
    `${lead} with "${c.setting}", by CPU per row in the training loop: over the seconds all runs of a round were in their loops, ${estimateText(c.loopCpu)}; `
      + `over each run's whole loop (the same rows in each run), ${estimateText(c.loopCpuOwnWindow)}. Verdict (every interval of both windows below ${pct(floor, 0)} to be met): `
      + `${verdictWord[c.verdict]}${verdict ? "**" : ""} (floor: under ${pct(floor, 0)} lost). Runs of one setting differ by up to ${pct(c.sameSettingSpread.loopCpu, 0)} of their median in CPU per row `
      + `(${c.medianOffLoopCpuUsPerRow.toFixed(1)} CPU-µs/row off), and by ${pct(c.sameSettingSpread.wall, 0)} in wall-clock rate.`, "",
    `Where the extra CPU goes (median over rounds, shared seconds, as a share of the cluster's CPU per row off): ${roles.map(([role, x]) => `${role} ${pct(x, 2)}`).join(", ")}.`, "",
    `Whole job by CPU per row: ${estimateText(c.jobCpu)}; ${verdictText(c.jobCpu.verdict, floor)}.`, "",
    `For reference, wall-clock (steady loop rate, median ${int(c.medianOffSamplesPerSec)} samples/s off, ${int(c.medianOnSamplesPerSec)} on): ${estimateText(c.wall)}; ${verdictText(c.wall.verdict, floor)}.`, "",
  ];
}

/** The markdown page of a record. */
export function observabilityMarkdown(r: OverheadRecord): string {
  return [
    `# Observability overhead (${r.date})`, "",
    `${describeMachine(r.machine)}; load average ${r.loadAverage1mAtStart.toFixed(2)} at the start, ${r.machine.loadAverage1m.toFixed(2)} at the end, `
      + `${r.loadAverage1mRange[0].toFixed(2)}–${r.loadAverage1mRange[1].toFixed(2)} between rounds (this machine is shared). `
      + `${r.rows.toLocaleString("en-US")} train rows per run, ${r.rounds} rounds of one run per setting (off, on, on+eval), `
      + `${r.pairing === "side-by-side" ? "the clusters of a round running at the same time (start order rotating)" : "run back to back, start order rotating"}.`, "",
    "Measure: CPU seconds (user + system, all threads) of the whole cluster — root supervisor, nats-server, coordinator, 2 shards, 2 workers — "
      + "per row trained, read from /proc at each worker heartbeat, between the first heartbeat that shows training and the last before every worker has its final count"
      + `${r.pairing === "side-by-side" ? ", and within the seconds all clusters of the round were in that loop (window)" : ""}. `
      + "Lost = 1 − (CPU per row off) / (CPU per row on): on cores that the cluster keeps busy, the throughput lost. "
      + "Job CPU: the same over the whole `colony up` (start-up, final checkpoint and evaluation included). Wall-clock: each worker's steady training-loop rate, summed.", "",
    ...(r.failedRounds.length === 0 ? [] : [`Rounds left out because a job failed: ${r.failedRounds.map((f) => `${f.round} (${f.reason.split("\n")[0]!.slice(0, 160)})`).join("; ")}.`, ""]),
    ...r.comparisons.flatMap((c) => comparisonMarkdown(c, r.floorLostFraction, c.setting === "on")),
    "## In process", "",
    `No noise from other jobs: a step's span calls cost ${r.instrumentation.stepSpansOffUs.toFixed(1)} µs with tracing off and `
      + `${r.instrumentation.stepSpansOnUs.toFixed(1)} µs on at ratio ${r.instrumentation.sampleRatio}; a worker step here takes ${r.stepMs.toFixed(0)} ms, so tracing costs `
      + `${(r.tracingShareOfStep * 100).toFixed(4)}% of it. The five histograms a worker records each step (recorded whatever the settings) cost `
      + `${r.instrumentation.stepHistogramsUs.toFixed(2)} µs (${(r.histogramsShareOfStep * 100).toFixed(5)}% of a step). One scrape of a 2-shard, 2-worker board takes `
      + `${r.instrumentation.scrapeMs.toFixed(2)} ms in the root supervisor (median of ${r.instrumentation.scrapes}).`, "",
    `Command: \`${r.command}\`.`, "",
  ].join("\n");
}
