/**
 * Exact area under the ROC curve: the probability that a random positive scores above a
 * random negative, ties counting one half. Positives' and negatives' scores are sorted
 * apart (native typed-array sorts, no comparator) and merged, so 1M rows take well
 * under a second and ties are averaged exactly.
 */

/** Binary labels (> 0.5 is positive) and scores, as any numeric array. */
export type Numbers = ArrayLike<number>;

/** ROC AUC with ties averaged; NaN when there is no positive or no negative. Throws on a NaN score. */
export function auc(labels: Numbers, scores: Numbers): number {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`auc: ${n} labels but ${scores.length} scores`);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]! > 0.5) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s)) throw new RangeError(`auc: score ${i} is NaN`);
    if (labels[i]! > 0.5) pos[p++] = s;
    else neg[q++] = s;
  }
  pos.sort();
  neg.sort();
  // Walk both in ascending order, one distinct score at a time.
  let wins = 0;
  let below = 0;
  let i = 0;
  let j = 0;
  while (i < positives) {
    const v = j < negatives && neg[j]! < pos[i]! ? neg[j]! : pos[i]!;
    let tiedNeg = 0;
    while (j < negatives && neg[j] === v) {
      tiedNeg++;
      j++;
    }
    let tiedPos = 0;
    while (i < positives && pos[i] === v) {
      tiedPos++;
      i++;
    }
    wins += tiedPos * (below + 0.5 * tiedNeg);
    below += tiedNeg;
  }
  return wins / (positives * negatives);
}
