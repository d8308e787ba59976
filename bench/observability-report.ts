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
import type { RunSample } from "./observability-run.js";
import type { FloorVerdict } from "./paired-difference.js";
import type { ProcessRole } from "./process-tree-cpu.js";

/** The two runs of one pair and what the pair lost with observability on, three ways. */
export interface PairSample {
  readonly pair: number;
  readonly order: "off-on" | "on-off";
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

/** Everything the benchmark records. */
export interface OverheadRecord {
  readonly benchmark: "observability-overhead";
  readonly date: string;
  readonly machine: MachineInfo;
  readonly loadAverage1mAtStart: number;
  /** Lowest and highest one-minute load average seen at the start and after each pair. */
  readonly loadAverage1mRange: readonly [number, number];
  readonly rows: number;
  readonly pairs: number;
  /** side-by-side: the two runs of a pair at once; back-to-back: one after the other. */
  readonly pairing: "side-by-side" | "back-to-back";
  readonly on: string;
  readonly method: string;
  readonly command: string;
  readonly pairsMeasured: readonly PairSample[];
  readonly loopCpu: LossEstimate;
  readonly jobCpu: LossEstimate;
  readonly wall: LossEstimate;
  /** Median over pairs of each role's extra loop CPU per row (fraction of the cluster's CPU per row off). */
  readonly extraByRoleMedian: Readonly<Record<ProcessRole, number>>;
  readonly medianOffSamplesPerSec: number;
  readonly medianOnSamplesPerSec: number;
  /** Largest (max − min) / median over runs of one setting. */
  readonly sameSettingSpread: { readonly wall: number; readonly loopCpu: number };
  readonly medianOffLoopCpuUsPerRow: number;
  readonly instrumentation: InstrumentationCost;
  readonly stepMs: number;
  readonly tracingShareOfStep: number;
  readonly histogramsShareOfStep: number;
  readonly floorLostFraction: number;
  /** The verdict of the loop-CPU measure. */
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

/** The markdown page of a record. */
export function observabilityMarkdown(r: OverheadRecord): string {
  const roles = Object.entries(r.extraByRoleMedian).filter(([role]) => role !== "other") as [ProcessRole, number][];
  return [
    `# Observability overhead (${r.date})`, "",
    `${describeMachine(r.machine)}; load average ${r.loadAverage1mAtStart.toFixed(2)} at the start, ${r.machine.loadAverage1m.toFixed(2)} at the end, `
      + `${r.loadAverage1mRange[0].toFixed(2)}–${r.loadAverage1mRange[1].toFixed(2)} between pairs (this machine is shared). `
      + `${r.rows.toLocaleString("en-US")} train rows per run, ${r.pairs} off/on pairs, `
      + `${r.pairing === "side-by-side" ? "the two clusters of a pair running at the same time (start order alternating)" : "run back to back, order alternating"}; "on": ${r.on}.`, "",
    "Measure: CPU seconds (user + system, all threads) of the whole cluster — root supervisor, nats-server, coordinator, 2 shards, 2 workers — "
      + "per row trained, read from /proc at each worker heartbeat, between the first heartbeat that shows training and the last before every worker has its final count"
      + `${r.pairing === "side-by-side" ? ", and within the seconds both clusters of the pair were in that loop (window)" : ""}. `
      + "Lost = 1 − (CPU per row off) / (CPU per row on): on cores that the cluster keeps busy, the throughput lost. "
      + "Job CPU: the same over the whole `colony up` (start-up, final checkpoint and evaluation included). Wall-clock: each worker's steady training-loop rate, summed.", "",
    "| pair | order | window, s | off, CPU-µs/row | on, CPU-µs/row | lost (CPU, loop) | off, job CPU-s | on, job CPU-s | lost (CPU, job) | off, samples/s | on, samples/s | lost (wall) | scrapes | evaluations | load |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.pairsMeasured.map((p) => `| ${p.pair} | ${p.order} | ${windowSeconds(p.offLoopCpu)} | ${usPerRow(p.offLoopCpu)} | ${usPerRow(p.onLoopCpu)} | ${pct(p.lostLoopCpu)} | ${p.off.jobCpu?.cpuSeconds.toFixed(1) ?? "–"} | `
      + `${p.on.jobCpu?.cpuSeconds.toFixed(1) ?? "–"} | ${pct(p.lostJobCpu)} | ${int(p.off.samplesPerSec)} | ${int(p.on.samplesPerSec)} | ${pct(p.lostWall)} | ${p.on.scrapes} | ${p.on.evaluations} | ${p.loadAverage1m.toFixed(2)} |`),
    "",
    `**Throughput lost with observability on, by CPU per row in the training loop: ${estimateText(r.loopCpu)}; ${verdictText(r.loopCpu.verdict, r.floorLostFraction)}** `
      + `(floor: under ${pct(r.floorLostFraction, 0)} lost). Runs of one setting differ by up to ${pct(r.sameSettingSpread.loopCpu, 0)} of their median in CPU per row `
      + `(${r.medianOffLoopCpuUsPerRow.toFixed(1)} CPU-µs/row off), against ${pct(r.sameSettingSpread.wall, 0)} in wall-clock rate.`, "",
    `Where the extra CPU goes (median over pairs, as a share of the cluster's CPU per row off): ${roles.map(([role, x]) => `${role} ${pct(x, 2)}`).join(", ")}.`, "",
    `Whole job by CPU per row: ${estimateText(r.jobCpu)}; ${verdictText(r.jobCpu.verdict, r.floorLostFraction)}.`, "",
    `For reference, wall-clock (steady loop rate, median ${int(r.medianOffSamplesPerSec)} samples/s off, ${int(r.medianOnSamplesPerSec)} on): ${estimateText(r.wall)}; ${verdictText(r.wall.verdict, r.floorLostFraction)}.`, "",
    `In process (no noise from other jobs): a step's span calls cost ${r.instrumentation.stepSpansOffUs.toFixed(1)} µs with tracing off and `
      + `${r.instrumentation.stepSpansOnUs.toFixed(1)} µs on at ratio ${r.instrumentation.sampleRatio}; a worker step here takes ${r.stepMs.toFixed(0)} ms, so tracing costs `
      + `${(r.tracingShareOfStep * 100).toFixed(4)}% of it. The five histograms a worker records each step (recorded whatever the settings) cost `
      + `${r.instrumentation.stepHistogramsUs.toFixed(2)} µs (${(r.histogramsShareOfStep * 100).toFixed(5)}% of a step). One scrape of a 2-shard, 2-worker board takes `
      + `${r.instrumentation.scrapeMs.toFixed(2)} ms in the root supervisor (median of ${r.instrumentation.scrapes}).`, "",
    `Command: \`${r.command}\`.`, "",
  ].join("\n");
}
