/**
 * The front door of supervisor/ for the operator commands (status, scale, down, …):
 * finding a running cluster on this machine, without loading the supervision tree, the
 * NATS launcher or the metrics SDK (which cost every `colony scale` about 0.6 s;
 * bench/results/elasticity.md). supervisor/index.ts re-exports the same names.
 */
export { ClusterNotFoundError, findCluster, runningClusters, type ClusterEntry } from "./cluster-registry.js";
