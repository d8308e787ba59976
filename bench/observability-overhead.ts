/**
 * `npm run bench -- observability`: what metrics and tracing cost. The same job
 * (`examples/ctr.yaml`, 2 shards, 2 workers) runs with observability off and on, in
 * pairs whose two clusters run side by side, at the same time (which one starts first
 * alternates), so that whatever else loads this shared machine loads both runs of a
 * pair alike; `--back-to-back` runs them one after the other instead. "On" is what an operator
 * turns on: the Prometheus endpoint scraped every second, traces to file at the default
 * sampling (observability.traceSampleRatio, 0.01) and the coordinator's held-out
 * evaluation (every 5 s, 2048 rows).
 *
 * The verdict on the floor (issue 8: under 5% of throughput lost) comes from the CPU the
 * cluster spends per row trained inside the training loop (observability-run.ts): on a
 * cluster whose processes keep the cores busy, throughput is cores / (CPU per row), so
 * the fraction lost is 1 − (CPU per row off) / (CPU per row on). Per pair that fraction
 * is taken; the answer is its mean with a paired-bootstrap 95% interval
 * (paired-bootstrap.ts) and its median with the sign-test interval
 * (paired-difference.ts). The floor is met when both intervals lie below 5%, missed when
 * both lie above, and otherwise not resolved. Wall-clock throughput (1 − on/off of the
 * steady loop rate) and the whole job's CPU are reported beside it, with the in-process
 * cost of the instrumentation (instrumentation-cost.ts).
 *
 * Writes bench/results/observability-overhead.json and .md (with --quick into
 * bench/tmp/results/) and prints a one-line summary on stdout; progress on stderr.
 * Flags: --pairs N (default 10; --quick 2), --rows N (default 100,000; --quick 30,000),
 * --back-to-back, --quick, --out DIR.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BenchSetupError } from "./bench-errors.js";
import { ensureCtrData } from "./ctr-data.js";
import { measureInstrumentationCost } from "./instrumentation-cost.js";
import { detectMachine } from "./machine.js";
import { estimateLoss } from "./loss-estimate.js";
import { observabilityMarkdown, type OverheadRecord, type PairSample } from "./observability-report.js";
import type { LoopCpu } from "./loop-cpu.js";
import { ON_SETTINGS, runObservabilityOnce, type ObservedRun, type RunSample } from "./observability-run.js";
import { median } from "./paired-difference.js";
import { ProcessRole, ProcessTreeCpu } from "./process-tree-cpu.js";
import { repoRoot } from "./repo-root.js";

const TMP = "bench/tmp";
const FLOOR_LOST = 0.05;

/** CPU seconds per row trained; undefined when the loop's CPU is missing. */
function cpuPerRow(c: LoopCpu): number | undefined {
  return c.available ? c.cpuSeconds / c.rows : undefined;
}

/** Both runs' loop CPU over the seconds both loops ran (each run's own loop where they do not overlap). */
function sharedWindows(off: ObservedRun, on: ObservedRun): [LoopCpu, LoopCpu] {
  const a = off.sample.loopCpu;
  const b = on.sample.loopCpu;
  if (!a.available || !b.available) return [a, b];
  const window = { from: Math.max(a.from, b.from), to: Math.min(a.to, b.to) };
  if (window.to <= window.from) return [a, b];
  return [off.loopCpuWithin(window), on.loopCpuWithin(window)];
}

function jobCpuPerRow(s: RunSample): number | undefined {
  return s.jobCpu === undefined || s.jobCpu.rows === 0 ? undefined : s.jobCpu.cpuSeconds / s.jobCpu.rows;
}

/** 1 − off/on of a CPU cost per row: the throughput lost when the cores are the limit. */
function lostFromCost(off: number | undefined, on: number | undefined): number | undefined {
  return off === undefined || on === undefined || on <= 0 ? undefined : 1 - off / on;
}

/** Each role's extra CPU per row with observability on, as a fraction of the whole cluster's CPU per row off. */
function extraByRole(off: LoopCpu, on: LoopCpu): Record<ProcessRole, number> | undefined {
  if (!off.available || !on.available) return undefined;
  const offTotal = off.cpuSeconds / off.rows;
  return Object.fromEntries(Object.values(ProcessRole).map((r) => [r, (on.cpuSecondsByRole[r] / on.rows - off.cpuSecondsByRole[r] / off.rows) / offTotal])) as Record<ProcessRole, number>;
}

/** Runs the overhead benchmark and records its result. */
export async function observabilityMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { pairs: { type: "string" }, rows: { type: "string" }, quick: { type: "boolean" }, "back-to-back": { type: "boolean" }, out: { type: "string" } } });
  const backToBack = values["back-to-back"] ?? false;
  const quick = values.quick ?? false;
  const pairs = Number(values.pairs ?? (quick ? 2 : 10));
  const rows = Number(values.rows ?? (quick ? 30_000 : 100_000));
  if (!Number.isInteger(pairs) || pairs < 1) throw new BenchSetupError(`--pairs must be a positive integer, got ${values.pairs}`);
  if (!Number.isInteger(rows) || rows < 10_000) throw new BenchSetupError(`--rows must be an integer >= 10000, got ${values.rows}`);
  const root = repoRoot(fileURLToPath(import.meta.url));
  const out = path.resolve(root, values.out ?? (quick ? `${TMP}/results` : "bench/results"));
  const log = (l: string): void => { process.stderr.write(`bench: ${l}\n`); };
  const tree = new ProcessTreeCpu();
  if (!tree.available) throw new BenchSetupError("the CPU measure reads /proc: run this benchmark on Linux");
  const data = await ensureCtrData({ root, dir: path.join(root, TMP, "data"), rows, log });
  const machineBefore = detectMachine();

  const results: PairSample[] = [];
  const loads: number[] = [machineBefore.loadAverage1m];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side starts first, so neither is always the one that starts on a quieter machine.
    const order = i % 2 === 0 ? "off-on" : "on-off";
    const once = (on: boolean): Promise<ObservedRun> =>
      runObservabilityOnce({ root, tmp: TMP, on, cluster: `obs-${on ? "on" : "off"}-${process.pid}`, data, tree, log });
    let off: ObservedRun;
    let on: ObservedRun;
    if (backToBack) {
      const first = await once(order === "on-off");
      const second = await once(order === "off-on");
      [off, on] = order === "off-on" ? [first, second] : [second, first];
    } else {
      // Side by side: both clusters share the cores with whatever else runs during the same seconds.
      const first = once(order === "on-off");
      const second = once(order === "off-on");
      const [a, b] = await Promise.all([first, second]);
      [off, on] = order === "off-on" ? [a, b] : [b, a];
    }
    const [offCpu, onCpu] = backToBack ? [off.sample.loopCpu, on.sample.loopCpu] : sharedWindows(off, on);
    const load = detectMachine().loadAverage1m;
    loads.push(load);
    const pair: PairSample = {
      pair: i + 1, order, off: off.sample, on: on.sample, loadAverage1m: load, offLoopCpu: offCpu, onLoopCpu: onCpu,
      lostWall: 1 - on.sample.samplesPerSec / off.sample.samplesPerSec,
      lostLoopCpu: lostFromCost(cpuPerRow(offCpu), cpuPerRow(onCpu)),
      lostJobCpu: lostFromCost(jobCpuPerRow(off.sample), jobCpuPerRow(on.sample)),
      extraByRole: extraByRole(offCpu, onCpu),
    };
    results.push(pair);
    const pct = (x: number | undefined): string => (x === undefined ? "?" : `${(x * 100).toFixed(1)}%`);
    log(`pair ${i + 1}/${pairs}: lost ${pct(pair.lostLoopCpu)} by loop CPU per row, ${pct(pair.lostJobCpu)} by job CPU per row, ${pct(pair.lostWall)} by wall-clock (load ${load})`);
  }
  const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);
  const loopCpu = estimateLoss(defined(results.map((r) => r.lostLoopCpu)), FLOOR_LOST);
  const jobCpu = estimateLoss(defined(results.map((r) => r.lostJobCpu)), FLOOR_LOST);
  const wall = estimateLoss(results.map((r) => r.lostWall), FLOOR_LOST);
  const roles = Object.values(ProcessRole);
  const extraByRoleMedian = Object.fromEntries(roles.map((r) => [r, median(defined(results.map((p) => p.extraByRole?.[r])))])) as Record<ProcessRole, number>;
  const offRates = results.map((r) => r.off.samplesPerSec);
  const onRates = results.map((r) => r.on.samplesPerSec);
  // How much runs of one setting vary, for comparison with the paired intervals.
  const spread = (xs: readonly number[]): number => (Math.max(...xs) - Math.min(...xs)) / median(xs);
  const offLoopCpu = defined(results.map((r) => cpuPerRow(r.offLoopCpu)));
  log("measuring the in-process cost of step spans, histograms and a scrape");
  const cost = await measureInstrumentationCost();
  // A worker step's time in these runs: each of the 2 workers trains 2048-row batches (examples/ctr.yaml).
  const stepMs = (2 * 2048 * 1000) / median(offRates);
  const record: OverheadRecord = {
    benchmark: "observability-overhead", date: new Date().toISOString(), machine: detectMachine(), loadAverage1mAtStart: machineBefore.loadAverage1m,
    loadAverage1mRange: [Math.min(...loads), Math.max(...loads)], rows, pairs,
    on: `Prometheus endpoint scraped every 1 s + traces to file at traceSampleRatio 0.01 (default) + held-out evaluation (${ON_SETTINGS.slice(1).join(", ")})`,
    pairing: backToBack ? "back-to-back" : "side-by-side",
    method: `paired runs ${backToBack ? "back to back, order alternating" : "side by side (both clusters at once), start order alternating"}; per pair lost = 1 - (CPU-seconds per trained row off)/(on) of the whole cluster's process tree inside the training loop; `
      + "mean with a paired-bootstrap 95% interval and median with its sign-test interval; met only when both intervals lie below the floor",
    command: `npm run bench -- observability --pairs ${pairs} --rows ${rows}${backToBack ? " --back-to-back" : ""}`,
    pairsMeasured: results, loopCpu, jobCpu, wall, extraByRoleMedian,
    medianOffSamplesPerSec: median(offRates), medianOnSamplesPerSec: median(onRates),
    sameSettingSpread: { wall: Math.max(spread(offRates), spread(onRates)), loopCpu: spread(offLoopCpu) },
    medianOffLoopCpuUsPerRow: median(offLoopCpu) * 1e6,
    instrumentation: cost, stepMs, tracingShareOfStep: (cost.stepSpansOnUs - cost.stepSpansOffUs) / 1000 / stepMs, histogramsShareOfStep: cost.stepHistogramsUs / 1000 / stepMs,
    floorLostFraction: FLOOR_LOST, verdict: loopCpu.verdict,
  };
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, "observability-overhead.json"), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(out, "observability-overhead.md"), observabilityMarkdown(record));
  const p1 = (x: number): number => Math.round(x * 1000) / 10;
  process.stdout.write(`${JSON.stringify({
    verdict: record.verdict, lostLoopCpuMeanPercent: p1(loopCpu.mean.mean), lostLoopCpuIntervalPercent: [p1(loopCpu.mean.low), p1(loopCpu.mean.high)],
    lostLoopCpuMedianPercent: p1(loopCpu.median.median), lostLoopCpuSignTestPercent: [p1(loopCpu.median.low), p1(loopCpu.median.high)],
    lostJobCpuMeanPercent: p1(jobCpu.mean.mean), lostWallMedianPercent: p1(wall.median.median), lostWallSignTestPercent: [p1(wall.median.low), p1(wall.median.high)],
  })}\n`);
}
