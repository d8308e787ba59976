/** Scores a checkpoint on a data file: rows, ROC AUC and log loss, in one process. */
import { readFileBatches } from "../data/index.js";
import { auc, logLoss } from "../metrics/index.js";
import { readCheckpoint } from "./read-checkpoint.js";

export interface Evaluation { readonly rows: number; readonly auc: number; readonly logloss: number }

/** Loads the checkpoint in `dir` and scores it on every row of `dataPath`. */
export async function evaluateCheckpoint(dir: string, dataPath: string, opts: { batch: number }): Promise<Evaluation> {
  const ckpt = await readCheckpoint(dir);
  const model = ckpt.model;
  const labels: number[] = [];
  const scores: number[] = [];
  for await (const batch of readFileBatches(dataPath, ckpt.manifest.data, opts.batch)) {
    const plan = model.plan(batch);
    const rows = new Float32Array(plan.totalFloats);
    for (let k = 0; k < plan.keys.tables.length; k++) {
      ckpt.readRow(plan.keys.tables[k]!, plan.keys.ids[k]!, rows, plan.rowOffset[k]!);
    }
    const p = model.predict(batch, plan, rows);
    for (let i = 0; i < batch.rows; i++) {
      labels.push(batch.labels[i]!);
      scores.push(p[i]!);
    }
  }
  const l = Float32Array.from(labels);
  const s = Float32Array.from(scores);
  return { rows: l.length, auc: auc(l, s), logloss: logLoss(l, s) };
}
