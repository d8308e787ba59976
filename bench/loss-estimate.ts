/**
 * What paired runs say about a fraction lost, against a floor: the mean over pairs with
 * its paired-bootstrap interval (paired-bootstrap.ts) and the median with its sign-test
 * interval (paired-difference.ts). The verdict is the one both intervals give (met: the
 * whole interval below the floor; missed: above it), and "not resolved" when they
 * disagree or either straddles the floor, so that neither statistic is picked after
 * seeing which one passes.
 */
import { bootstrapMeanInterval, type MeanInterval } from "./paired-bootstrap.js";
import { floorVerdict, medianInterval, type FloorVerdict, type MedianInterval } from "./paired-difference.js";

/** The two estimates of a loss and the verdict they agree on. */
export interface LossEstimate {
  readonly mean: MeanInterval;
  readonly median: MedianInterval;
  readonly verdict: FloorVerdict;
}

/** The verdict on "loss under `floor`" from a bootstrap interval of the mean. */
export function meanFloorVerdict(loss: MeanInterval, floor: number): FloorVerdict {
  if (loss.level === 0) return "not_resolved";
  if (loss.high < floor) return "met";
  if (loss.low > floor) return "missed";
  return "not_resolved";
}

/** Estimates the loss of paired runs (one value per pair) and judges it against `floor`. */
export function estimateLoss(losses: readonly number[], floor: number): LossEstimate {
  const mean = bootstrapMeanInterval(losses);
  const median = medianInterval(losses);
  const byMean = meanFloorVerdict(mean, floor);
  return { mean, median, verdict: byMean === floorVerdict(median, floor) ? byMean : "not_resolved" };
}
