/**
 * How the operator commands (status, scale, down) reach a running cluster: by name from
 * this machine's cluster registry, the only one running, or an explicit NATS URL.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { request } from "../actors/client.js";
import { findCluster, type ClusterEntry } from "../supervisor/client.js";
import { subjects, type StatusReply } from "../protocols/index.js";

export interface ClusterTarget { readonly cluster?: string; readonly nats?: string }

/** A connection to a running cluster and its name. */
export interface ClusterConnection { readonly nc: NatsConnection; readonly cluster: string; readonly entry?: ClusterEntry }

/** Connects to the cluster the target names. */
export async function connectToCluster(target: ClusterTarget): Promise<ClusterConnection> {
  if (target.nats) {
    const nc = await connect({ servers: target.nats, name: "colony-cli", maxReconnectAttempts: 3 });
    const cluster = target.cluster ?? "colony";
    return { nc, cluster };
  }
  const entry = await findCluster(target.cluster);
  const nc = await connect({ servers: entry.natsUrl, name: "colony-cli", maxReconnectAttempts: 3 });
  return { nc, cluster: entry.cluster, entry };
}

/** The root supervisor's status of the cluster. */
export async function fetchStatus(c: ClusterConnection, timeoutMs = 5000): Promise<StatusReply> {
  return request(c.nc, subjects.status(c.cluster), { v: 1, type: "ctl.status" }, ["ctl.status.reply"], { timeoutMs });
}
