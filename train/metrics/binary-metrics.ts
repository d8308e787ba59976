/**
 * A streaming accumulator for evaluation: push each batch's labels and predicted
 * probabilities, then compute AUC, log loss, accuracy at 0.5 and calibration over all of
 * them. Keeps every (label, probability) pair (8 bytes a row) since AUC needs them all.
 */
import { auc } from "./auc.js";
import { logLoss } from "./log-loss.js";

/** Metrics of binary predictions. */
export interface BinaryReport {
  readonly count: number;
  readonly positives: number;
  /** ROC AUC, ties averaged; NaN without both classes. */
  readonly auc: number;
  /** Mean clipped cross-entropy. */
  readonly logLoss: number;
  /** Fraction with (p ≥ 0.5) = label. */
  readonly accuracy: number;
  /** Mean predicted probability, to compare with positives / count. */
  readonly meanPrediction: number;
}

/** Accumulates (label, probability) pairs across batches. */
export class BinaryMetrics {
  #labels = new Float32Array(1024);
  #probs = new Float32Array(1024);
  #count = 0;

  /** Rows pushed so far. */
  get count(): number {
    return this.#count;
  }

  /** Adds one batch: labels 0/1 and predicted click probabilities, same length. */
  push(labels: ArrayLike<number>, probs: ArrayLike<number>): void {
    const n = labels.length;
    if (probs.length !== n) throw new RangeError(`push: ${n} labels but ${probs.length} probabilities`);
    if (this.#count + n > this.#labels.length) {
      let size = this.#labels.length;
      while (size < this.#count + n) size *= 2;
      const labelsGrown = new Float32Array(size);
      const probsGrown = new Float32Array(size);
      labelsGrown.set(this.#labels.subarray(0, this.#count));
      probsGrown.set(this.#probs.subarray(0, this.#count));
      this.#labels = labelsGrown;
      this.#probs = probsGrown;
    }
    for (let i = 0; i < n; i++) {
      this.#labels[this.#count + i] = labels[i]!;
      this.#probs[this.#count + i] = probs[i]!;
    }
    this.#count += n;
  }

  /** Metrics over every row pushed so far. */
  compute(): BinaryReport {
    const n = this.#count;
    const labels = this.#labels.subarray(0, n);
    const probs = this.#probs.subarray(0, n);
    let positives = 0;
    let correct = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i]! > 0.5;
      const p = probs[i]!;
      if (y) positives++;
      if (p >= 0.5 === y) correct++;
      sum += p;
    }
    return {
      count: n,
      positives,
      auc: auc(labels, probs),
      logLoss: logLoss(labels, probs),
      accuracy: n === 0 ? NaN : correct / n,
      meanPrediction: n === 0 ? NaN : sum / n,
    };
  }
}
