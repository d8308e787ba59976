/** Front door of train/checkpoint: the on-disk format, loading and scoring. */
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, partFiles } from "./manifest.js";
export type { CheckpointManifest, CheckpointTable, TablePart } from "./manifest.js";
export { CheckpointError, LoadedCheckpoint, readCheckpoint } from "./read-checkpoint.js";
export { evaluateCheckpoint, type Evaluation } from "./evaluate.js";
