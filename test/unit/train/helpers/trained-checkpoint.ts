/**
 * Checkpoints of a small model trained in process, written by the shards' own writer
 * (actors/shard ParameterStore + writeRows) and a manifest as the coordinator writes it.
 * Training routes every key to one of N parameter stores by a hash of (table, id), as a
 * partition map would: the row-sparse optimizers update each row on its own, so the same
 * data gives bitwise the same parameters for any N, written as N shards' parts.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ParameterStore, writeRows, type TableRows } from "../../../../actors/shard/parameter-store.js";
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, createModel, createOptimizer, criteoSpec, denseDimOf, fieldsOf, readFileBatches,
  type CheckpointManifest, type CheckpointTable, type ModelKind,
} from "../../../../train/index.js";

export interface TrainedModel {
  readonly kind: ModelKind;
  readonly seed: number;
  readonly embeddingDim: number;
  readonly stores: readonly ParameterStore[];
  readonly rowsTrained: number;
}

const ownerOf = (table: number, id: number, n: number): number => ((Math.imul(table + 1, 0x9e3779b1) ^ Math.imul(id, 0x85ebca6b)) >>> 0) % n;

/** Trains `kind` for one pass over `trainPath` (Criteo TSV) with Adagrad, keys spread over `shards` stores. */
export async function trainSharded(opts: {
  kind: ModelKind; trainPath: string; shards: number; seed?: number; embeddingDim?: number; batch?: number;
}): Promise<TrainedModel> {
  const spec = criteoSpec();
  const seed = opts.seed ?? 7;
  const embeddingDim = opts.embeddingDim ?? 4;
  const modelOpts = { kind: opts.kind, seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim, kernels: "ts" as const };
  const model = createModel(modelOpts);
  const optimizer = createOptimizer({ kind: "adagrad", lr: 0.05 });
  const stores = Array.from({ length: opts.shards }, () => new ParameterStore(createModel(modelOpts), optimizer));
  let rowsTrained = 0;
  for await (const batch of readFileBatches(opts.trainPath, spec, opts.batch ?? 256)) {
    const plan = model.plan(batch);
    const { tables, ids } = plan.keys;
    const owner = Array.from(tables, (t, k) => ownerOf(t, ids[k]!, opts.shards));
    const rows = new Float32Array(plan.totalFloats);
    for (let k = 0; k < tables.length; k++) {
      rows.set(stores[owner[k]!]!.gather(tables.subarray(k, k + 1), ids.subarray(k, k + 1)), plan.rowOffset[k]!);
    }
    const { grads } = model.step(batch, plan, rows);
    for (let k = 0; k < tables.length; k++) {
      const dim = model.dim(tables[k]!);
      const at = plan.rowOffset[k]!;
      stores[owner[k]!]!.apply(tables.subarray(k, k + 1), ids.subarray(k, k + 1), grads.slice(at, at + dim));
    }
    rowsTrained += batch.rows;
  }
  return { kind: opts.kind, seed, embeddingDim, stores, rowsTrained };
}

/** Writes the trained stores as one checkpoint in `dir` (one part per store and table); `edit` may change rows first. */
export async function writeTrainedCheckpoint(
  dir: string, trained: TrainedModel, edit?: (shard: number, rows: TableRows[]) => void,
): Promise<string> {
  const spec = criteoSpec();
  const tables = new Map<number, CheckpointTable>();
  for (const [s, store] of trained.stores.entries()) {
    const rows = store.exportRows();
    edit?.(s, rows);
    const shard = `shard-${s}`;
    for (const p of await writeRows(dir, shard, rows)) {
      const t = tables.get(p.table) ?? { table: p.table, dim: p.dim, stateWidth: p.stateWidth, parts: [] };
      t.parts.push({ shard, rows: p.rows, ids: p.ids, params: p.params, state: p.state });
      tables.set(p.table, t);
    }
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, createdAt: new Date(0).toISOString(), cluster: "test",
    model: { kind: trained.kind, seed: trained.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: trained.embeddingDim },
    data: spec,
    optimizer: { kind: "adagrad", lr: 0.05 },
    partitions: 16,
    rowsTrained: trained.rowsTrained,
    tables: [...tables.values()].sort((a, b) => a.table - b.table),
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return dir;
}
