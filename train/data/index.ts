/**
 * Front door of train/data: data specs, task cutting and batch reading. Other folders
 * import from here (or from train/index.ts), never from a deep file.
 */
export {
  CRITEO_CATEGORICAL,
  CRITEO_DENSE,
  DEFAULT_ID_MODULO,
  DataSpecError,
  checkDataSpec,
  criteoSpec,
  denseDimOf,
  fieldsOf,
} from "./data-spec.js";
export type { CriteoSpec, CsvSpec, DataSpec } from "./data-spec.js";
export { cutTasks } from "./cut-tasks.js";
export type { CutOptions, DataTask } from "./cut-tasks.js";
export { readFileBatches, readTaskBatches } from "./read-batches.js";
export type { BatchStream, ReadOptions, SkippedRow } from "./read-batches.js";
export { SkipReason } from "./line-parser.js";
export { BUCKETS_PER_OCTAVE, bucketId, numericBucket } from "./csv-parser.js";
export { hashBytes, hashString } from "./feature-hash.js";
export { readCsvHeader } from "./csv-header.js";
export type { CsvHeader } from "./csv-header.js";
