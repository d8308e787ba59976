/**
 * Small hand-made batches for model tests, and collecting a batch stream into flat
 * arrays so reader tests can compare whole files row by row.
 */
import type { ExampleBatch } from "../../../../train/index.js";

/** A random batch whose ids come from 0..idRange-1, so examples share rows. */
export function randomBatch(
  random: () => number, rows: number, fields: number, denseDim: number, idRange: number,
): ExampleBatch {
  const ids = new Uint32Array(rows * fields);
  for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(random() * idRange);
  const dense = new Float32Array(rows * denseDim);
  for (let i = 0; i < dense.length; i++) dense[i] = random() < 0.2 ? 0 : random() * 3;
  const labels = new Float32Array(rows);
  for (let b = 0; b < rows; b++) labels[b] = random() < 0.4 ? 1 : 0;
  return { rows, fields, denseDim, ids, dense, labels };
}

/** Every batch of a stream, concatenated. */
export interface Collected {
  readonly batchSizes: number[];
  readonly labels: number[];
  readonly ids: number[];
  readonly dense: number[];
}

/** Reads a whole stream into plain arrays. */
export async function collect(stream: AsyncIterable<ExampleBatch>): Promise<Collected> {
  const out: Collected = { batchSizes: [], labels: [], ids: [], dense: [] };
  for await (const batch of stream) {
    out.batchSizes.push(batch.rows);
    out.labels.push(...batch.labels);
    out.ids.push(...batch.ids);
    out.dense.push(...batch.dense);
  }
  return out;
}
