/**
 * Liveness: the job finished, and after every fault it injected the cluster worked again
 * with the part that was hit within `boundMs` (recovery-tracker.ts defines "worked
 * again"). A fault whose recovery was never seen fails, unless the job ended first.
 */
import type { InjectedFault } from "../fault-injector.js";
import type { Recovery } from "../recovery-tracker.js";
import type { CheckerVerdict } from "./verdict.js";

/** p-th percentile (nearest rank) of the values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Recovery time distribution per fault kind ("kill worker", "nats-restart", ...). */
export function recoveryByKind(faults: readonly InjectedFault[], recoveries: readonly Recovery[]): Record<string, { n: number; p50?: number; p99?: number; max?: number; unrecovered: number }> {
  const out: Record<string, { times: number[]; unrecovered: number }> = {};
  for (const f of faults) {
    if (f.skipped !== undefined || f.error !== undefined) continue;
    const key = f.actorKind === "nats" ? f.kind : `${f.kind} ${f.actorKind}`;
    const r = recoveries.find((x) => x.index === f.index);
    const slot = (out[key] ??= { times: [], unrecovered: 0 });
    if (r?.recoveryMs !== undefined) slot.times.push(r.recoveryMs);
    else slot.unrecovered++;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, {
    n: v.times.length + v.unrecovered, p50: percentile(v.times, 50), p99: percentile(v.times, 99), max: v.times.length ? Math.max(...v.times) : undefined, unrecovered: v.unrecovered,
  }]));
}

/** The verdict on the run's faults and its end. */
export function checkLiveness(opts: {
  jobOk: boolean; jobError?: string; jobEndedAtMs: number; faults: readonly InjectedFault[]; recoveries: readonly Recovery[]; boundMs: number;
}): CheckerVerdict {
  const injected = opts.faults.filter((f) => f.skipped === undefined && f.error === undefined);
  const late: string[] = [];
  let endedFirst = 0;
  for (const f of injected) {
    const r = opts.recoveries.find((x) => x.index === f.index);
    if (r?.recoveryMs !== undefined) {
      if (r.recoveryMs > opts.boundMs) late.push(`fault ${f.index} (${f.kind} ${f.actor}): ${(r.recoveryMs / 1000).toFixed(1)} s`);
    } else if (opts.jobOk && opts.jobEndedAtMs - f.atMs <= opts.boundMs) {
      endedFirst++;
    } else {
      late.push(`fault ${f.index} (${f.kind} ${f.actor}): no recovery seen`);
    }
  }
  const times = opts.recoveries.flatMap((r) => (r.recoveryMs === undefined ? [] : [r.recoveryMs]));
  const ok = opts.jobOk && late.length === 0;
  return {
    checker: "liveness",
    ok,
    summary: !opts.jobOk
      ? `the job did not finish: ${opts.jobError ?? "unknown error"}`
      : ok
        ? `training finished; all ${injected.length} faults recovered within ${opts.boundMs / 1000} s (p50 ${fmt(percentile(times, 50))}, max ${fmt(times.length ? Math.max(...times) : undefined)})${endedFirst ? `; ${endedFirst} ended by the job finishing first` : ""}`
        : `${late.length} faults did not recover within ${opts.boundMs / 1000} s: ${late.slice(0, 3).join("; ")}`,
    evidence: {
      jobOk: opts.jobOk, boundMs: opts.boundMs, injected: injected.length, recovered: times.length, endedByJobEnd: endedFirst, late,
      recoveryMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: times.length ? Math.max(...times) : undefined },
      byKind: recoveryByKind(opts.faults, opts.recoveries),
    },
  };
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}
