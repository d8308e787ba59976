/**
 * Scores a data file with a model exported to safetensors, using only what the file
 * holds: the model is rebuilt from the `model_options` metadata, rows come from the
 * `<table>.ids` / `<table>.weight` tensors (binary search), dense blocks are cut from the
 * named dense tensors, and an id the file lacks gets the row the `unseen_rows` metadata
 * describes (computed here from the rule, not by the model).
 */
import { readFile } from "node:fs/promises";
import {
  DENSE_TABLE, auc, createModel, readFileBatches, readSafetensors, type DataSpec, type ModelOptions, type SafetensorsFile,
} from "../../../../train/index.js";
import { rowKey, uniformAt } from "../../../../train/models/init-hash.js";

interface Table { readonly ids: Uint32Array; readonly weight: Float32Array; readonly dim: number }

/** The row the metadata's unseen-rows rule gives (field, id), written at out[off..off+dim). */
export function unseenRow(file: SafetensorsFile, field: number, id: number, dim: number, out: Float32Array, off: number): void {
  const rule = JSON.parse(file.metadata["unseen_rows"]!) as { seed: number; bound: number; zero: "all" | number[] };
  const key = rowKey(rule.seed, field, id);
  for (let i = 0; i < dim; i++) {
    const zero = rule.zero === "all" || rule.zero.includes(i);
    out[off + i] = zero ? 0 : uniformAt(key, i, rule.bound);
  }
}

/** Reads `modelPath` (safetensors) and scores every row of `dataPath`: {rows, auc}. */
export async function scoreSafetensors(modelPath: string, dataPath: string, batchSize = 4096): Promise<{ rows: number; auc: number }> {
  const file = readSafetensors(new Uint8Array(await readFile(modelPath)));
  const opts = JSON.parse(file.metadata["model_options"]!) as ModelOptions;
  const spec = JSON.parse(file.metadata["data"]!) as DataSpec;
  const model = createModel(opts);
  const tables = new Map<number, Table>();
  for (const name of JSON.parse(file.metadata["embedding_tables"]!) as string[]) {
    const ids = file.tensors.get(`${name}.ids`)!;
    const weight = file.tensors.get(`${name}.weight`)!;
    tables.set(Number(name.split(".")[1]), {
      ids: Uint32Array.from(ids.data as BigInt64Array, (v) => Number(v)),
      weight: weight.data as Float32Array,
      dim: weight.shape[1]!,
    });
  }
  const blockSize = model.dim(DENSE_TABLE);
  const denseParts = (JSON.parse(file.metadata["dense_tensors"]!) as string[]).map((n) => file.tensors.get(n)!.data as Float32Array);
  const flat = new Float32Array(Math.ceil(denseParts.reduce((n, d) => n + d.length, 0) / blockSize) * blockSize || blockSize);
  denseParts.reduce((at, d) => { flat.set(d, at); return at + d.length; }, 0);

  const labels: number[] = [];
  const scores: number[] = [];
  for await (const batch of readFileBatches(dataPath, spec, batchSize)) {
    const plan = model.plan(batch);
    const rows = new Float32Array(plan.totalFloats);
    for (let k = 0; k < plan.keys.tables.length; k++) {
      const table = plan.keys.tables[k]!;
      const id = plan.keys.ids[k]!;
      const off = plan.rowOffset[k]!;
      if (table === DENSE_TABLE) {
        rows.set(flat.subarray(id * blockSize, (id + 1) * blockSize), off);
        continue;
      }
      const t = tables.get(table)!;
      let lo = 0;
      let hi = t.ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (t.ids[mid]! < id) lo = mid + 1;
        else hi = mid;
      }
      if (lo < t.ids.length && t.ids[lo] === id) rows.set(t.weight.subarray(lo * t.dim, (lo + 1) * t.dim), off);
      else unseenRow(file, table, id, t.dim, rows, off);
    }
    const p = model.predict(batch, plan, rows);
    for (let i = 0; i < batch.rows; i++) {
      labels.push(batch.labels[i]!);
      scores.push(p[i]!);
    }
  }
  return { rows: labels.length, auc: auc(Float32Array.from(labels), Float32Array.from(scores)) };
}
