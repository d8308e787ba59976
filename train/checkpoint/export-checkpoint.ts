/**
 * Exports a checkpoint's model (parameters only, no optimizer state) to a file other
 * tools load. One format so far, safetensors, laid out so PyTorch users need nothing of
 * Colony's: per categorical field f, `embeddings.<f>.ids` (I64, ascending) and
 * `embeddings.<f>.weight` (F32 [rows, dim], row i belongs to ids[i]); then the dense
 * tensors by name (`bottom.0.weight` [out, in], …). The `__metadata__` holds what scoring
 * needs: model kind and options, the data format (how raw columns become ids and dense
 * features), the row layout, and the rule that gives an id absent from the table its
 * initial row. The file is written beside `out` and renamed into place when complete.
 */
import { open, rename, rm } from "node:fs/promises";
import { ModelKind, DENSE_TABLE } from "../types.js";
import { denseTensorsOf, modelOptionsOf } from "./dense-tensors.js";
import { tableName } from "./inspect-checkpoint.js";
import type { CheckpointManifest } from "./manifest.js";
import { CheckpointError, readManifest } from "./read-checkpoint.js";
import { layoutSafetensors, type TensorSpec } from "./safetensors.js";
import { readSortedTable, type SortedTable } from "./sorted-table.js";

/** The export formats `colony export` writes. */
export const ExportFormat = { Safetensors: "safetensors" } as const;
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

/** An export format Colony does not write. Bad input: pick one of `supported`. */
export class ExportFormatError extends Error {
  override readonly name = "ExportFormatError";
  readonly format: string;
  readonly supported: readonly ExportFormat[];

  constructor(format: string) {
    const supported = Object.values(ExportFormat);
    super(`unknown export format "${format}"; use --format ${supported.join(" | ")}`);
    this.format = format;
    this.supported = supported;
  }
}

/** What an export wrote. */
export interface ExportResult {
  readonly out: string;
  readonly format: ExportFormat;
  readonly bytes: number;
  readonly tensors: number;
  /** Embedding rows written, over all tables. */
  readonly rows: number;
}

/** Value of the "format" metadata key of an exported model. */
export const EXPORT_FORMAT_NAME = "colony.model";
/** Value of the "format_version" metadata key. */
export const EXPORT_FORMAT_VERSION = 1;

/**
 * How each model lays out an embedding row and initialises it (mirrors train/models: a
 * test checks the two agree). Element i of a new row of (field, id) is
 * uniformAt(rowKey(seed, field, id), i, bound) (train/models/init-hash.ts), except the
 * `zero` columns, which start at 0.
 */
const ROWS: Readonly<Record<ModelKind, { layout: string; bound: number; zero: "all" | number[] }>> = {
  [ModelKind.Lr]: { layout: "[w]", bound: 0, zero: "all" },
  [ModelKind.Fm]: { layout: "[w, v_0..v_{k-1}]", bound: 0.01, zero: [0] },
  [ModelKind.DlrmSmall]: { layout: "[v_0..v_{k-1}]", bound: 0.01, zero: [] },
};

/** The `__metadata__` of an exported model. */
function metadataOf(manifest: CheckpointManifest, dense: readonly string[], tables: readonly string[]): Record<string, string> {
  const opts = modelOptionsOf(manifest);
  const rows = ROWS[manifest.model.kind];
  return {
    format: EXPORT_FORMAT_NAME,
    format_version: String(EXPORT_FORMAT_VERSION),
    model: manifest.model.kind,
    model_options: JSON.stringify(opts),
    data: JSON.stringify(manifest.data),
    embedding_tables: JSON.stringify(tables),
    dense_tensors: JSON.stringify(dense),
    embedding_row: rows.layout,
    unseen_rows: JSON.stringify({
      rule: "an id absent from <table>.ids has its initial row: element i = uniformAt(rowKey(seed, field, id), i, bound), zero columns 0 (train/models/init-hash.ts)",
      seed: opts.seed, bound: rows.bound, zero: rows.zero,
    }),
    optimizer: JSON.stringify(manifest.optimizer),
    cluster: manifest.cluster,
    created_at: manifest.createdAt,
    rows_trained: String(manifest.rowsTrained),
  };
}

/** Little-endian int64 bytes of u32 ids (high words zero). */
function int64Bytes(ids: Uint32Array): Uint8Array {
  const words = new Uint32Array(ids.length * 2);
  for (let i = 0; i < ids.length; i++) words[2 * i] = ids[i]!;
  return new Uint8Array(words.buffer);
}

const bytesOf = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the checkpoint in `dir` to `out` in `format`; throws ExportFormatError for an unknown format, CheckpointError for an unusable checkpoint. */
export async function exportCheckpoint(dir: string, opts: { format: string; out: string }): Promise<ExportResult> {
  if (opts.format !== ExportFormat.Safetensors) throw new ExportFormatError(opts.format);
  const manifest = await readManifest(dir);
  const sparse = manifest.tables.filter((t) => t.table !== DENSE_TABLE).sort((a, b) => a.table - b.table);
  const denseTable = manifest.tables.find((t) => t.table === DENSE_TABLE);
  const dense = denseTensorsOf(modelOptionsOf(manifest), denseTable === undefined ? undefined : await readSortedTable(dir, denseTable));
  const rowsOf = (t: (typeof sparse)[number]): number => t.parts.reduce((n, p) => n + p.rows, 0);
  // Every I64 tensor first, so each one starts 8-byte aligned; the F32 ones follow.
  const specs: TensorSpec[] = [
    ...sparse.map((t): TensorSpec => ({ name: `${tableName(t.table)}.ids`, dtype: "I64", shape: [rowsOf(t)] })),
    ...sparse.map((t): TensorSpec => ({ name: `${tableName(t.table)}.weight`, dtype: "F32", shape: [rowsOf(t), t.dim] })),
    ...dense.map((d): TensorSpec => ({ name: d.name, dtype: "F32", shape: d.shape })),
  ];
  const layout = layoutSafetensors(specs, metadataOf(manifest, dense.map((d) => d.name), sparse.map((t) => tableName(t.table))));
  const place = new Map(layout.tensors.map((t) => [t.name, t]));
  const partial = `${opts.out}.${process.pid}.partial`;
  const file = await open(partial, "w");
  try {
    const write = async (name: string, bytes: Uint8Array): Promise<void> => {
      const p = place.get(name)!;
      if (bytes.byteLength !== p.byteLength) throw new CheckpointError(dir, `${name}: ${bytes.byteLength} bytes where the header says ${p.byteLength}`);
      await file.write(bytes, 0, bytes.byteLength, p.position);
    };
    await file.write(layout.header, 0, layout.header.length, 0);
    for (const t of sparse) {
      // One table in memory at a time; it goes to its two places in the file.
      const rows: SortedTable = await readSortedTable(dir, t);
      await write(`${tableName(t.table)}.ids`, int64Bytes(rows.ids));
      await write(`${tableName(t.table)}.weight`, bytesOf(rows.params));
    }
    for (const d of dense) await write(d.name, bytesOf(d.data));
    await file.truncate(layout.byteLength);
    await file.sync();
    await file.close();
    await rename(partial, opts.out);
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw err;
  }
  return { out: opts.out, format: ExportFormat.Safetensors, bytes: layout.byteLength, tensors: specs.length, rows: sparse.reduce((n, t) => n + rowsOf(t), 0) };
}
