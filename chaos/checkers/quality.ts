/**
 * Quality (async mode): faults may cost speed, repeated rows and a different order of
 * updates, but not model quality: the chaos run's held-out AUC is within `tolerance`
 * of a fault-free run of the same job, which the chaos runner trains itself.
 */
import type { CheckerVerdict } from "./verdict.js";

/** Compares the held-out AUC of the chaos run with the fault-free run's. */
export function checkQuality(chaosAuc: number | undefined, referenceAuc: number | undefined, tolerance: number): CheckerVerdict {
  if (chaosAuc === undefined || referenceAuc === undefined) {
    return {
      checker: "quality", ok: false,
      summary: `no held-out AUC to compare (chaos ${chaosAuc ?? "-"}, fault-free ${referenceAuc ?? "-"}): the job needs job.data.eval and must finish`,
      evidence: { chaosAuc, referenceAuc, tolerance },
    };
  }
  const delta = chaosAuc - referenceAuc;
  const ok = Math.abs(delta) <= tolerance;
  return {
    checker: "quality",
    ok,
    summary: `held-out AUC ${chaosAuc.toFixed(4)} vs ${referenceAuc.toFixed(4)} fault-free (${delta >= 0 ? "+" : ""}${delta.toFixed(4)}; allowed ±${tolerance})`,
    evidence: { chaosAuc, referenceAuc, delta, tolerance },
  };
}
