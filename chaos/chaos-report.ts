/**
 * The report of a chaos run (JSON, written as report.json beside report.html), and its
 * summary: the one JSON line `colony chaos run --json` prints last.
 */
import type { CheckerVerdict } from "./checkers/verdict.js";
import type { InjectedFault } from "./fault-injector.js";

/** The trained-row count and throughput the coordinator reported, ms since the run started. */
export interface TimelinePoint { readonly t: number; readonly rowsDone: number; readonly samplesPerSec: number; readonly loss: number }

export interface ChaosReport {
  readonly v: 1;
  readonly scenario: { readonly name: string; readonly file: string; readonly description?: string; readonly seed: number };
  /** pass only when every checker passed. */
  readonly verdict: "pass" | "fail";
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly host: string; readonly loadAverage1m: number };
  /** durationMs: from the start of the chaos run (cluster start included) to the job's end. */
  readonly job: {
    readonly cluster: string; readonly mode: string; readonly ok: boolean; readonly error?: string; readonly rowsTrained: number; readonly rowsRepeated: number;
    readonly durationMs: number; readonly auc?: number; readonly checkpoint?: string; readonly runDir: string;
  };
  /** The fault-free run of the same job (bitwise and quality checkers). */
  readonly reference?: { readonly ok: boolean; readonly durationMs: number; readonly auc?: number; readonly checkpoint?: string; readonly runDir: string };
  readonly faults: readonly (InjectedFault & { readonly backMs?: number; readonly recoveryMs?: number })[];
  readonly faultsInjected: number;
  readonly faultsSkipped: number;
  /** Faults the plan had for after the job ended. */
  readonly faultsNotReached: number;
  readonly recoveryByKind: Record<string, { n: number; p50?: number; p99?: number; max?: number; unrecovered: number }>;
  readonly checkers: readonly CheckerVerdict[];
  readonly timeline: readonly TimelinePoint[];
  readonly events: readonly { readonly t: number; readonly text: string }[];
}

/** What `--json` prints last: the verdict and the figures that matter, without the timeline. */
export function reportSummary(r: ChaosReport): Record<string, unknown> {
  const skippedReasons = [...new Set(r.faults.flatMap((f) => (f.skipped ? [f.skipped] : [])))];
  return {
    scenario: r.scenario.name,
    seed: r.scenario.seed,
    verdict: r.verdict,
    jobOk: r.job.ok,
    seconds: Math.round(r.durationMs / 100) / 10,
    faultsInjected: r.faultsInjected,
    faultsSkipped: r.faultsSkipped,
    faultsNotReached: r.faultsNotReached,
    skippedBecause: skippedReasons,
    faultsByKind: Object.fromEntries(Object.entries(r.recoveryByKind).map(([k, v]) => [k, v.n])),
    recoveryMs: r.recoveryByKind,
    checkers: Object.fromEntries(r.checkers.map((c) => [c.checker, { ok: c.ok, summary: c.summary }])),
  };
}
