/**
 * One table of a checkpoint with every shard's part merged and its rows sorted by id:
 * the view of the parameters that does not depend on how they were partitioned, which
 * the digests and the exports are computed from. Reads one table at a time, so a tool
 * holds at most one table's rows in memory.
 */
import { join } from "node:path";
import type { CheckpointTable } from "./manifest.js";
import { CheckpointError } from "./read-checkpoint.js";
import { readTypedFile, type TableRows } from "./table-rows.js";

/** A table's rows in ascending id order: ids, params (dim per row) and optimizer state (stateWidth per row). */
export type SortedTable = TableRows;

/**
 * Reads every part of `t`, checks each against the manifest, and returns the rows sorted
 * by id. Throws CheckpointError for a missing or short file, or an id held twice.
 */
export async function readSortedTable(dir: string, t: CheckpointTable): Promise<SortedTable> {
  const total = t.parts.reduce((n, p) => n + p.rows, 0);
  const ids = new Uint32Array(total);
  const params = new Float32Array(total * t.dim);
  const state = new Float32Array(total * t.stateWidth);
  let at = 0;
  for (const part of t.parts) {
    let partIds: Uint32Array;
    let partParams: Float32Array;
    let partState: Float32Array;
    try {
      partIds = await readTypedFile(join(dir, part.ids), Uint32Array);
      partParams = await readTypedFile(join(dir, part.params), Float32Array);
      partState = await readTypedFile(join(dir, part.state), Float32Array);
    } catch (err) {
      throw new CheckpointError(dir, `table ${t.table}, shard ${part.shard}: ${(err as Error).message}; the checkpoint is incomplete or damaged`);
    }
    if (partIds.length !== part.rows || partParams.length !== part.rows * t.dim || partState.length !== part.rows * t.stateWidth) {
      throw new CheckpointError(dir, `table ${t.table}, shard ${part.shard}: ${partIds.length} ids, ${partParams.length} params and ${partState.length} state floats; the manifest says ${part.rows} rows of ${t.dim}+${t.stateWidth} floats`);
    }
    ids.set(partIds, at);
    params.set(partParams, at * t.dim);
    state.set(partState, at * t.stateWidth);
    at += part.rows;
  }
  // Sort (id, position) pairs packed in 64 bits: a native sort with no comparator.
  const keys = new BigUint64Array(total);
  for (let i = 0; i < total; i++) keys[i] = (BigInt(ids[i]!) << 32n) | BigInt(i);
  keys.sort();
  const out: SortedTable = {
    table: t.table, dim: t.dim, stateWidth: t.stateWidth,
    ids: new Uint32Array(total), params: new Float32Array(total * t.dim), state: new Float32Array(total * t.stateWidth),
  };
  for (let i = 0; i < total; i++) {
    const key = keys[i]!;
    const id = Number(key >> 32n);
    const from = Number(key & 0xffffffffn);
    if (i > 0 && out.ids[i - 1] === id) {
      throw new CheckpointError(dir, `table ${t.table}: id ${id} is stored twice (in more than one shard's part); a checkpoint must be one consistent cut, so write it again`);
    }
    out.ids[i] = id;
    out.params.set(params.subarray(from * t.dim, (from + 1) * t.dim), i * t.dim);
    out.state.set(state.subarray(from * t.stateWidth, (from + 1) * t.stateWidth), i * t.stateWidth);
  }
  return out;
}
