/** Front door of train/checkpoint: the on-disk format, loading, scoring, inspecting and exporting. */
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, partFiles } from "./manifest.js";
export type { CheckpointManifest, CheckpointTable, JobProgress, TablePart } from "./manifest.js";
export { CheckpointError, LoadedCheckpoint, readCheckpoint, readManifest } from "./read-checkpoint.js";
export { evaluateCheckpoint, type Evaluation } from "./evaluate.js";
export { readSortedTable, type SortedTable } from "./sorted-table.js";
export { readTypedFile, type TableRows } from "./table-rows.js";
export { denseTensorsOf, modelOptionsOf, type DenseTensor } from "./dense-tensors.js";
export { inspectCheckpoint, tableName, type CheckpointInspection, type TableDigest, type TensorDigest } from "./inspect-checkpoint.js";
export {
  EXPORT_FORMAT_NAME,
  EXPORT_FORMAT_VERSION,
  ExportFormat,
  ExportFormatError,
  exportCheckpoint,
  type ExportResult,
} from "./export-checkpoint.js";
export {
  SafetensorsDtype,
  SafetensorsError,
  layoutSafetensors,
  readSafetensors,
  type SafetensorsFile,
  type SafetensorsLayout,
  type SafetensorsTensor,
  type TensorPlacement,
  type TensorSpec,
} from "./safetensors.js";
