/**
 * Mean binary cross-entropy of predicted probabilities, clipped away from 0 and 1 so that
 * one confident mistake costs a large but finite amount.
 */
import type { Numbers } from "./auc.js";

/** Probabilities are clipped to [LOG_LOSS_EPS, 1 − LOG_LOSS_EPS]. */
export const LOG_LOSS_EPS = 1e-7;

/** Mean −[y·log p + (1−y)·log(1−p)] with p clipped; NaN for no rows. */
export function logLoss(labels: Numbers, probs: Numbers, eps: number = LOG_LOSS_EPS): number {
  const n = labels.length;
  if (probs.length !== n) throw new RangeError(`logLoss: ${n} labels but ${probs.length} probabilities`);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]!));
    sum -= labels[i]! > 0.5 ? Math.log(p) : Math.log1p(-p);
  }
  return sum / n;
}
