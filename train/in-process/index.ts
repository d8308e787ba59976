/**
 * Front door of train/in-process: training a job's model in one process, no NATS, every
 * parameter in local memory (`colony bench train`, and the benchmark's in-process figure).
 */
export { trainInProcess } from "./train-in-process.js";
export type { InProcessTrainOptions, InProcessTrainResult, PhaseBreakdown } from "./train-in-process.js";
export { DataFileError } from "./data-file-error.js";
export { RowStore } from "./row-store.js";
export type { RowInit } from "./row-store.js";
