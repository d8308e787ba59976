/** Actor processes and their building blocks, for the supervisor and tests. */
export { coordinatorMachine } from "./coordinator/coordinator-machine.js";
export { TaskQueue, type Clock, type TaskQueueStats } from "./coordinator/task-queue.js";
export { shardMachine } from "./shard/shard-machine.js";
export { ParameterStore } from "./shard/parameter-store.js";
export { RowTable } from "./shard/row-table.js";
export { workerMachine, type TrainedTask } from "./worker/worker-machine.js";
export type { ActorConfig } from "./runtime/actor-config.js";
export { Counters } from "./runtime/counters.js";
export {
  histogramBounds, LATENCY_BUCKETS_MS, latencyHistogramNames, readLatencyHistogram, STALENESS_BUCKETS_ENTRIES, STALENESS_HISTOGRAM, type LatencyHistogram,
} from "./runtime/latency-histogram.js";
export { otlpUrl } from "./runtime/tracing.js";
export { request } from "./runtime/request.js";
export { readPartitionMap, watchPartitionMap } from "./runtime/map-watch.js";

/**
 * The compiled actor entry point. Next to this module when it runs compiled (dist/);
 * from sources (tests under vitest) the processes still start from the build.
 */
export const ACTOR_ENTRY = import.meta.url.endsWith(".ts")
  ? new URL("../dist/actors/main.js", import.meta.url)
  : new URL("./main.js", import.meta.url);
