/** Supervision: the cluster config, the embedded NATS server, actor processes and the root supervisor of `colony up`. */
export { ActorProcess, type ActorExit, type ActorProcessSpec } from "./actor-process.js";
export { runCluster, type ClusterEvent, type ClusterRunOptions, type ClusterRunResult } from "./cluster-run.js";
export { ConfigError, loadConfig, parseConfig, type ClusterConfig } from "./config/index.js";
export { startNatsServer, type NatsServerHandle } from "./nats-server.js";
export { ClusterNotFoundError, findCluster, registerCluster, runningClusters, unregisterCluster, type ClusterEntry } from "./cluster-registry.js";
export { ClusterStatusBoard, type ChildInfo } from "./cluster-status.js";
export { watchDesiredWorkers } from "./desired-workers.js";
export { checkResumable } from "./resume-checkpoint.js";
export { runAgent, type AgentOptions } from "./agent/agent-run.js";
export { AgentJoinError } from "./agent/agent-error.js";
export { agentMachine, type AgentMachineEvent, type AgentState } from "./agent/agent-machine.js";
export { placeWorkers, type PlacementHost } from "./worker-placement.js";
