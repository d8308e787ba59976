/**
 * One setting against off over all rounds of the observability benchmark: the loss by
 * loop CPU per row (the verdict), by whole-job CPU per row and by wall-clock rate, each
 * with both intervals (loss-estimate.ts), where the extra CPU goes by role, and how much
 * runs of one setting vary. Used by the benchmark and when pooling recorded runs.
 */
import { estimateLoss } from "./loss-estimate.js";
import type { LoopCpu } from "./loop-cpu.js";
import type { Comparison, PairSample } from "./observability-report.js";
import { SETTINGS, type Setting } from "./observability-run.js";
import { median } from "./paired-difference.js";
import { ProcessRole } from "./process-tree-cpu.js";

/** The floor of issue 8: under 5% of throughput lost. */
export const FLOOR_LOST = 0.05;

/** CPU seconds per row trained; undefined when the loop's CPU is missing. */
export function cpuPerRow(c: LoopCpu): number | undefined {
  return c.available ? c.cpuSeconds / c.rows : undefined;
}

/** 1 − off/on of a CPU cost per row: the throughput lost when the cores are the limit. */
export function lostFromCost(off: number | undefined, on: number | undefined): number | undefined {
  return off === undefined || on === undefined || on <= 0 ? undefined : 1 - off / on;
}

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

/** The estimates over all pairs of one comparison (a setting against off). */
export function compare(setting: Setting, pairs: readonly PairSample[]): Comparison {
  const offRates = pairs.map((r) => r.off.samplesPerSec);
  const onRates = pairs.map((r) => r.on.samplesPerSec);
  const offLoopCpu = defined(pairs.map((r) => cpuPerRow(r.offLoopCpu)));
  const onLoopCpu = defined(pairs.map((r) => cpuPerRow(r.onLoopCpu)));
  // How much runs of one setting vary, for comparison with the paired intervals.
  const spread = (xs: readonly number[]): number => (Math.max(...xs) - Math.min(...xs)) / median(xs);
  const roles = Object.values(ProcessRole);
  const loopCpu = estimateLoss(defined(pairs.map((r) => r.lostLoopCpu)), FLOOR_LOST);
  // Each run's own whole loop: the same rows in each run, but at the ends seconds the other runs do not share.
  const loopCpuOwnWindow = estimateLoss(defined(pairs.map((r) => lostFromCost(cpuPerRow(r.off.loopCpu), cpuPerRow(r.on.loopCpu)))), FLOOR_LOST);
  return {
    setting, settings: SETTINGS[setting], pairs, loopCpu, loopCpuOwnWindow,
    // The shared seconds can catch the runs at different points of their loops (a run that started later is earlier
    // in its loop), the whole loops at different seconds: the verdict needs both windows to agree.
    verdict: loopCpu.verdict === loopCpuOwnWindow.verdict ? loopCpu.verdict : "not_resolved",
    jobCpu: estimateLoss(defined(pairs.map((r) => r.lostJobCpu)), FLOOR_LOST),
    wall: estimateLoss(pairs.map((r) => r.lostWall), FLOOR_LOST),
    extraByRoleMedian: Object.fromEntries(roles.map((r) => [r, median(defined(pairs.map((p) => p.extraByRole?.[r])))])) as Record<ProcessRole, number>,
    medianOffSamplesPerSec: median(offRates), medianOnSamplesPerSec: median(onRates),
    sameSettingSpread: { wall: Math.max(spread(offRates), spread(onRates)), loopCpu: Math.max(spread(offLoopCpu), spread(onLoopCpu)) },
    medianOffLoopCpuUsPerRow: median(offLoopCpu) * 1e6,
  };
}

