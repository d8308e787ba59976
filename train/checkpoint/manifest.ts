/**
 * The on-disk checkpoint format. A checkpoint is a directory: `manifest.json` plus, per
 * table and shard, three little-endian files — ids (u32), params (f32, dim per row)
 * and optimizer state (f32, stateWidth per row). The manifest records the model, data
 * format and optimizer, so a checkpoint can be scored or resumed with nothing else.
 */
import type { DataSpec } from "../data/index.js";
import type { ModelKind, OptimizerKind } from "../types.js";

export const CHECKPOINT_FORMAT = "colony.checkpoint";
export const CHECKPOINT_VERSION = 1;

/** One shard's rows of one table. */
export interface TablePart {
  readonly shard: string;
  readonly rows: number;
  readonly ids: string;
  readonly params: string;
  readonly state: string;
}

export interface CheckpointTable {
  readonly table: number;
  readonly dim: number;
  readonly stateWidth: number;
  readonly parts: TablePart[];
}

export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly createdAt: string;
  readonly cluster: string;
  readonly model: {
    readonly kind: ModelKind;
    readonly seed: number;
    readonly fields: number;
    readonly denseDim: number;
    readonly embeddingDim: number;
  };
  readonly data: DataSpec;
  readonly optimizer: { readonly kind: OptimizerKind; readonly lr: number } & Record<string, number | string>;
  readonly partitions: number;
  readonly rowsTrained: number;
  readonly tables: CheckpointTable[];
  /** Where the job's task queue stood (what `colony up --resume` continues from); absent in older checkpoints. */
  readonly progress?: JobProgress;
}

/** A task queue's position: tasks the data cuts into, the current pass, tasks done in it, row counts. */
export interface JobProgress {
  readonly mode: string;
  readonly tasks: number;
  readonly epoch: number;
  readonly done: readonly number[];
  readonly rowsDone: number;
  readonly rowsRepeated: number;
}

/** File names of one shard's part of one table (relative to the checkpoint directory). */
export function partFiles(table: number, shard: string): { ids: string; params: string; state: string } {
  const base = `t${table}.${shard}`;
  return { ids: `${base}.ids.u32`, params: `${base}.params.f32`, state: `${base}.state.f32` };
}
