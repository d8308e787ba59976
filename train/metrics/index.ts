/**
 * Front door of train/metrics: evaluation of binary click predictions.
 */
export { auc } from "./auc.js";
export type { Numbers } from "./auc.js";
export { LOG_LOSS_EPS, logLoss } from "./log-loss.js";
export { BinaryMetrics } from "./binary-metrics.js";
export type { BinaryReport } from "./binary-metrics.js";
