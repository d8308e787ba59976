/** Follows the desired worker count (`colony scale workers=N`); see desired-count.ts. */
import type { NatsConnection } from "@nats-io/transport-node";
import { StateKey } from "../protocols/index.js";
import { watchDesiredCount } from "./desired-count.js";

/** Calls `onChange` with each desired worker count recorded for `jobId`, until `signal` aborts. */
export function watchDesiredWorkers(opts: {
  nc: NatsConnection; cluster: string; jobId: string; signal: AbortSignal; onChange: (workers: number) => void;
}): Promise<void> {
  return watchDesiredCount({ ...opts, key: StateKey.Desired, field: "workers" });
}

/** Calls `onChange` with each desired shard count recorded for `jobId`, until `signal` aborts. */
export function watchDesiredShards(opts: {
  nc: NatsConnection; cluster: string; jobId: string; signal: AbortSignal; onChange: (shards: number) => void;
}): Promise<void> {
  return watchDesiredCount({ ...opts, key: StateKey.DesiredShards, field: "shards" });
}
