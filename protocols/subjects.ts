/**
 * Every NATS subject and JetStream name Colony uses, built by functions so that no
 * call site pastes strings. All subjects of a cluster live under `colony.<cluster>.`.
 */

const root = (cluster: string): string => `colony.${cluster}`;

/** Builders for the subjects of one cluster. */
export const subjects = {
  /** Every subject of the cluster (for wildcard taps and tests). */
  all: (cluster: string) => `${root(cluster)}.>`,
  /** Request: an actor announces itself to the coordinator. */
  join: (cluster: string) => `${root(cluster)}.ctl.join`,
  /** Publish: liveness and counters of one actor. */
  heartbeat: (cluster: string) => `${root(cluster)}.ctl.heartbeat`,
  /** Publish: job progress, from the coordinator. */
  progress: (cluster: string) => `${root(cluster)}.ctl.progress`,
  /** Publish: the job finished (or failed), from the coordinator. */
  jobDone: (cluster: string) => `${root(cluster)}.ctl.done`,
  /** Publish: every actor stops. */
  stop: (cluster: string) => `${root(cluster)}.ctl.stop`,
  /** Request: one actor's state, counters and the subjects it listens on. */
  inspect: (cluster: string, actorId: string) => `${root(cluster)}.ctl.inspect.${actorId}`,
  /** Request: change the desired worker count (answered by the coordinator). */
  scale: (cluster: string) => `${root(cluster)}.ctl.scale`,
  /** Request: change the number of parameter shards (answered by the coordinator). */
  scaleShards: (cluster: string) => `${root(cluster)}.ctl.scale.shards`,
  /** Request: end the job now with a final checkpoint (answered by the coordinator). */
  finish: (cluster: string) => `${root(cluster)}.ctl.finish`,
  /** Request: the cluster's status (answered by the root supervisor). */
  status: (cluster: string) => `${root(cluster)}.ctl.status`,
  /** Publish: a shard's per-partition access rates and hot keys (about once a second). */
  load: (cluster: string) => `${root(cluster)}.ctl.load`,
  /** Request: the rebalance plan the coordinator would run now (nothing moves). */
  rebalancePlan: (cluster: string) => `${root(cluster)}.ctl.rebalance.plan`,
  /** Request: run one rebalance round now (answered by the coordinator with what it moved). */
  rebalanceRun: (cluster: string) => `${root(cluster)}.ctl.rebalance.run`,
  /** Request: an agent (`colony agent`) joins the cluster (answered by the root supervisor). */
  agentJoin: (cluster: string) => `${root(cluster)}.ctl.agent.join`,
  /** Publish: an agent's liveness and the worker children it runs. */
  agentHeartbeat: (cluster: string) => `${root(cluster)}.ctl.agent.heartbeat`,
  /** Request: a leaving worker gives its task lease back. */
  taskRelease: (cluster: string) => `${root(cluster)}.task.release`,
  /** Request: a worker asks for a task lease. */
  taskLease: (cluster: string) => `${root(cluster)}.task.lease`,
  /** Request: a worker reports a finished task. */
  taskDone: (cluster: string) => `${root(cluster)}.task.done`,
  /** Request: batched row pull from one shard. */
  pull: (cluster: string, shardId: string) => `${root(cluster)}.ps.${shardId}.pull`,
  /** JetStream: the update log of one partition (entries appended by workers, consumed by its owner). */
  log: (cluster: string, partition: number) => `${root(cluster)}.log.${partition}`,
  /** JetStream: sync-mode step commits, in the same stream as the partitions' logs. */
  logCommit: (cluster: string) => `${root(cluster)}.log.commit`,
  /** JetStream: partition ownership changes (`log.map`), in the same stream as the partitions' logs. */
  logMap: (cluster: string) => `${root(cluster)}.log.map`,
  /** JetStream: marks a reader appends to learn it has read everything before them. */
  logMark: (cluster: string) => `${root(cluster)}.log.mark`,
  /** JetStream: the update logs of every partition (the log stream's subjects). */
  logAll: (cluster: string) => `${root(cluster)}.log.*`,
  /** JetStream: one chunk of a partition handoff (`name`: job, partition and log sequence). */
  handoff: (cluster: string, name: string, chunk: number) => `${root(cluster)}.handoff.${name}.${chunk}`,
  /** JetStream: every handoff chunk (the handoff stream's subjects). */
  handoffAll: (cluster: string) => `${root(cluster)}.handoff.>`,
  /** Request: a shard writes its partitions into a checkpoint directory. */
  checkpoint: (cluster: string, shardId: string) => `${root(cluster)}.ps.${shardId}.checkpoint`,
} as const;

/** JetStream stream holding the update logs of every partition of a cluster. */
export const logStream = (cluster: string): string => `COLONY_${cluster.replace(/-/g, "_")}_LOG`;

/** The partition a log subject belongs to (its last token), or -1 when it is not one. */
export function partitionOfLogSubject(subject: string): number {
  const dot = subject.lastIndexOf(".");
  const p = Number(subject.slice(dot + 1));
  return dot >= 0 && Number.isInteger(p) && p >= 0 ? p : -1;
}

/** JetStream KV bucket holding the partition map (revision = epoch). */
export const mapBucket = (cluster: string): string => `colony_${cluster.replace(/-/g, "_")}_map`;

/** JetStream KV bucket holding the coordinator's durable state (task progress, desired counts). */
export const stateBucket = (cluster: string): string => `colony_${cluster.replace(/-/g, "_")}_state`;

/** Keys inside the state bucket. */
export const StateKey = { Tasks: "tasks", Desired: "desired", DesiredShards: "desired-shards", Log: "log", Placement: "placement" } as const;

/** JetStream stream holding partition handoffs (a moving partition's state, by partition and log sequence). */
export const handoffStream = (cluster: string): string => `COLONY_${cluster.replace(/-/g, "_")}_HANDOFF`;

/** Key of the partition map inside its bucket. */
export const MAP_KEY = "map";
