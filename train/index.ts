/**
 * Front door of train/: everything the actors need to read data, build a model, update
 * rows and score predictions. Pure TypeScript, no I/O beyond reading data files, and no
 * knowledge of NATS: actors move the buffers these functions produce and consume.
 */
export { DENSE_TABLE, ModelKind, OptimizerKind } from "./types.js";
export { seededRandom } from "./seeded-random.js";
export type {
  BatchPlan,
  ExampleBatch,
  KeySet,
  Model,
  RowOptimizer,
  StepResult,
  TableSpec,
} from "./types.js";

export {
  BUCKETS_PER_OCTAVE,
  CRITEO_CATEGORICAL,
  CRITEO_DENSE,
  DEFAULT_ID_MODULO,
  DataSpecError,
  SkipReason,
  bucketId,
  checkDataSpec,
  criteoSpec,
  cutTasks,
  denseDimOf,
  fieldsOf,
  hashString,
  numericBucket,
  readCsvHeader,
  readFileBatches,
  readTaskBatches,
} from "./data/index.js";
export type {
  BatchStream,
  CriteoSpec,
  CsvHeader,
  CsvSpec,
  CutOptions,
  DataSpec,
  DataTask,
  ReadOptions,
  SkippedRow,
} from "./data/index.js";

export {
  DEFAULT_DENSE_BLOCK,
  DEFAULT_DLRM_EMBEDDING_DIM,
  DEFAULT_FM_EMBEDDING_DIM,
  ModelKernels,
  createModel,
  denseSegmentsOf,
} from "./models/index.js";
export type { DenseSegment, ModelOptions } from "./models/index.js";

export { createOptimizer } from "./optimizers/index.js";
export type { OptimizerConfig } from "./optimizers/index.js";

export { DataFileError, trainInProcess } from "./in-process/index.js";
export type { InProcessTrainOptions, InProcessTrainResult, PhaseBreakdown } from "./in-process/index.js";

export { BinaryMetrics, auc, logLoss } from "./metrics/index.js";
export type { BinaryReport } from "./metrics/index.js";

export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  EXPORT_FORMAT_NAME,
  EXPORT_FORMAT_VERSION,
  ExportFormat,
  ExportFormatError,
  LoadedCheckpoint,
  SafetensorsError,
  evaluateCheckpoint,
  exportCheckpoint,
  inspectCheckpoint,
  partFiles,
  readCheckpoint,
  readManifest,
  readSafetensors,
} from "./checkpoint/index.js";
export type {
  CheckpointInspection,
  CheckpointManifest,
  CheckpointTable,
  Evaluation,
  ExportResult,
  JobProgress,
  SafetensorsFile,
  SafetensorsTensor,
  TablePart,
  TableDigest,
  TensorDigest,
} from "./checkpoint/index.js";
