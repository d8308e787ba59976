/**
 * The update-log stream of a cluster in JetStream: one subject per partition, file
 * storage, a dedupe window for retried appends. The coordinator opens it before it
 * publishes the partition map (so shards and workers, which wait for the map, always
 * find it), and starts it empty for a new job (with the partition handoffs, which are
 * named by log sequence).
 */
import { jetstreamManager, JetStreamApiError, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { handoffStream, logStream, subjects } from "../../protocols/index.js";
import { openHandoffStream } from "./handoff-store.js";

/** How long the server remembers a `Nats-Msg-Id`: longer than any append is retried. */
export const LOG_DEDUPE_WINDOW_MS = 120_000;

const STREAM_NOT_FOUND = 10059;

/** Creates the cluster's log stream if missing; with `fresh`, drops whatever an earlier job left in it. */
export async function openUpdateLog(nc: NatsConnection, cluster: string, opts: { fresh: boolean }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const name = logStream(cluster);
  if (opts.fresh) {
    try {
      await jsm.streams.delete(name);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
    // Partition handoffs are named by log sequence: those of an earlier job go with its log.
    try {
      await jsm.streams.delete(handoffStream(cluster));
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
  }
  await openHandoffStream(jsm, cluster);
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  await jsm.streams.add({
    name,
    subjects: [subjects.logAll(cluster)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(LOG_DEDUPE_WINDOW_MS),
    num_replicas: 1,
  });
}

/** Removes the entries of one partition's log below `keepFrom` (a stream sequence). */
export async function purgeLogBelow(jsm: JetStreamManager, cluster: string, partition: number, keepFrom: number): Promise<number> {
  const r = await jsm.streams.purge(logStream(cluster), { filter: subjects.log(cluster, partition), seq: keepFrom });
  return r.purged;
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND;
}
