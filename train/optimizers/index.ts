/**
 * Front door of train/optimizers: row-sparse optimizers and their configuration.
 */
export { createOptimizer } from "./create-optimizer.js";
export { adagrad } from "./adagrad.js";
export { adam } from "./adam.js";
export { sgd } from "./sgd.js";
export { ADAGRAD_EPS, ADAM_BETA1, ADAM_BETA2, ADAM_EPS } from "./optimizer-config.js";
export type { OptimizerConfig } from "./optimizer-config.js";
