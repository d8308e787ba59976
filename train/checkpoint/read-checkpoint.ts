/**
 * Loads a checkpoint directory for scoring: validates the manifest, reads every part's
 * ids and params, and gives row lookup by (table, id). A key the checkpoint lacks gets
 * the model's initial row: that is exactly what a shard would create on first touch.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createModel } from "../models/index.js";
import type { Model } from "../types.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointManifest } from "./manifest.js";
import { readTypedFile } from "./table-rows.js";

/** A checkpoint that can't be used, with what to do about it. */
export class CheckpointError extends Error {
  constructor(dir: string, problem: string) {
    super(`checkpoint ${dir}: ${problem}`);
    this.name = "CheckpointError";
  }
}

interface LoadedTable { readonly dim: number; readonly index: Map<number, number>; readonly params: Float32Array[] }

/** A checkpoint in memory: its manifest, its model, and its rows. */
export class LoadedCheckpoint {
  readonly manifest: CheckpointManifest;
  readonly model: Model;
  readonly #tables: Map<number, LoadedTable>;

  constructor(manifest: CheckpointManifest, model: Model, tables: Map<number, LoadedTable>) {
    this.manifest = manifest;
    this.model = model;
    this.#tables = tables;
  }

  /** Rows stored, over all tables. */
  get rows(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.index.size;
    return n;
  }

  /** Writes row (table, id) into out[off..off+dim): the stored one, else the model's initial row. */
  readRow(table: number, id: number, out: Float32Array, off: number): void {
    const t = this.#tables.get(table);
    const at = t?.index.get(id);
    if (t === undefined || at === undefined) {
      this.model.initRow(table, id, out, off);
      return;
    }
    const part = t.params[at >>> 24]!;
    const row = (at & 0xffffff) * t.dim;
    out.set(part.subarray(row, row + t.dim), off);
  }
}


/** Reads a checkpoint's manifest.json and checks its format and version; throws CheckpointError otherwise. */
export async function readManifest(dir: string): Promise<CheckpointManifest> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as CheckpointManifest;
  } catch (err) {
    throw new CheckpointError(dir, `no readable manifest.json (${(err as Error).message}); a job writes it last, so the checkpoint is incomplete or the path is wrong`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(dir, `format ${String(manifest.format)} v${String(manifest.version)} is not ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION}`);
  }
  return manifest;
}

/** Reads and validates a checkpoint directory. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(dir);
  const model = createModel({ ...manifest.model });
  const tables = new Map<number, LoadedTable>();
  for (const t of manifest.tables) {
    if (model.dim(t.table) !== t.dim) throw new CheckpointError(dir, `table ${t.table} has dim ${t.dim}, the model says ${model.dim(t.table)}`);
    const index = new Map<number, number>();
    const params: Float32Array[] = [];
    for (const [p, part] of t.parts.entries()) {
      if (p >= 256 || part.rows >= 1 << 24) throw new CheckpointError(dir, `table ${t.table}: too many parts or rows per part to load for scoring`);
      const ids = await readTypedFile(join(dir, part.ids), Uint32Array);
      const rows = await readTypedFile(join(dir, part.params), Float32Array);
      if (ids.length !== part.rows || rows.length !== part.rows * t.dim) {
        throw new CheckpointError(dir, `${part.params}: ${ids.length} ids and ${rows.length} floats, manifest says ${part.rows} rows of dim ${t.dim}`);
      }
      params.push(rows);
      for (let i = 0; i < ids.length; i++) index.set(ids[i]!, (p << 24) | i);
    }
    tables.set(t.table, { dim: t.dim, index, params });
  }
  return new LoadedCheckpoint(manifest, model, tables);
}
