/**
 * A resumed job (`colony up --resume DIR`) starts its shards from a checkpoint instead of
 * from freshly initialised rows: each shard loads the checkpoint's rows of the partitions
 * it owns in the new job's map (the shard count and the partition count may differ from
 * the run that wrote it). Only a shard with no snapshot of its own does this: after its
 * first snapshot, a restarted shard comes back from that, like any other.
 */
import { partitionOf, type PartitionMap } from "../../protocols/index.js";
import { readManifest, readSortedTable, type TableRows } from "../../train/checkpoint/index.js";
import { importRowsYielding, type ParameterStore } from "./parameter-store.js";

/** Keeps the rows of `t` whose partition `owned` holds. */
function ownedRows(t: TableRows, partitions: number, owned: (p: number) => boolean): TableRows {
  const keep: number[] = [];
  for (let i = 0; i < t.ids.length; i++) if (owned(partitionOf(t.table, t.ids[i]!, partitions))) keep.push(i);
  const ids = new Uint32Array(keep.length);
  const params = new Float32Array(keep.length * t.dim);
  const state = new Float32Array(keep.length * t.stateWidth);
  keep.forEach((i, k) => {
    ids[k] = t.ids[i]!;
    params.set(t.params.subarray(i * t.dim, (i + 1) * t.dim), k * t.dim);
    state.set(t.state.subarray(i * t.stateWidth, (i + 1) * t.stateWidth), k * t.stateWidth);
  });
  return { table: t.table, dim: t.dim, stateWidth: t.stateWidth, ids, params, state };
}

/** Loads the rows `shardId` owns under `map` from the checkpoint in `dir`; resolves with the row count. */
export async function loadResumedRows(store: ParameterStore, dir: string, map: PartitionMap, shardId: string): Promise<number> {
  const manifest = await readManifest(dir);
  let rows = 0;
  for (const t of manifest.tables) {
    const mine = ownedRows(await readSortedTable(dir, t), map.partitions, (p) => map.owners[p] === shardId);
    await importRowsYielding(store, [mine]);
    rows += mine.ids.length;
  }
  return rows;
}
