/**
 * Binary cross-entropy on logits, computed without overflow for any logit, the sigmoid it
 * implies, and the batch form every model's step starts its backward pass from.
 */

/** −[y·log σ(z) + (1−y)·log(1−σ(z))], stable for large |z|. */
export function bceWithLogits(logit: number, label: number): number {
  return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
}

/** σ(z) = 1 / (1 + e^−z), without overflow. */
export function sigmoid(logit: number): number {
  if (logit >= 0) return 1 / (1 + Math.exp(-logit));
  const e = Math.exp(logit);
  return e / (1 + e);
}

/**
 * Mean BCE of the first `rows` logits, and into dLogits the gradient of that mean:
 * (σ(z_b) − y_b) / rows.
 */
export function meanBce(logits: Float64Array, labels: Float32Array, rows: number, dLogits: Float64Array): number {
  const inv = 1 / rows;
  let loss = 0;
  for (let b = 0; b < rows; b++) {
    const z = logits[b]!;
    const y = labels[b]!;
    loss += bceWithLogits(z, y);
    dLogits[b] = (sigmoid(z) - y) * inv;
  }
  return loss * inv;
}
