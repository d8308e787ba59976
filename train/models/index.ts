/**
 * Front door of train/models: building a model and describing its dense parameters.
 */
export { createModel, denseSegmentsOf } from "./create-model.js";
export {
  DEFAULT_DENSE_BLOCK,
  DEFAULT_DLRM_EMBEDDING_DIM,
  DEFAULT_FM_EMBEDDING_DIM,
  ModelKernels,
} from "./model-options.js";
export type { ModelOptions } from "./model-options.js";
export type { DenseSegment } from "./dense-layout.js";
export { bceWithLogits, sigmoid } from "./bce.js";
