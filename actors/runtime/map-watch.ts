/**
 * Follows the partition map in JetStream KV: calls back with every valid new version.
 * The bucket is created by the coordinator; until it exists the watch keeps retrying.
 * A map entry that fails validation is counted and skipped, never used; so is a map of
 * another job (left on a shared server by an earlier run).
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { decodeMessage, MAP_KEY, mapBucket, type PartitionMap } from "../../protocols/index.js";
import type { Counters } from "./counters.js";

/** Watches the map until `signal` aborts; `onMap` sees each version in epoch order. */
export async function watchPartitionMap(opts: {
  nc: NatsConnection; cluster: string; jobId: string; log: Logger; counters: Counters;
  onMap: (map: PartitionMap) => void; signal: AbortSignal;
}): Promise<void> {
  const { nc, cluster, jobId, log, counters, onMap, signal } = opts;
  let epoch = -1;
  while (!signal.aborted) {
    try {
      const kv = await new Kvm(nc).open(mapBucket(cluster));
      const iter = await kv.watch({ key: MAP_KEY });
      const stop = (): void => iter.stop();
      signal.addEventListener("abort", stop, { once: true });
      for await (const e of iter) {
        if (e.operation !== "PUT") continue;
        try {
          const map = { ...decodeMessage(e.value, ["map"]), epoch: e.revision };
          if (map.jobId !== jobId) {
            log.debug({ revision: e.revision, jobId: map.jobId }, "ignored the partition map of another job");
          } else if (map.epoch > epoch) {
            epoch = map.epoch;
            onMap(map);
          }
        } catch (err) {
          counters.inc("rejected");
          counters.inc("rejected.map");
          log.warn({ err: (err as Error).message, revision: e.revision }, "ignored an invalid partition map");
        }
      }
      signal.removeEventListener("abort", stop);
    } catch (err) {
      if (signal.aborted) break;
      log.debug({ err: (err as Error).message }, "partition map not readable yet; retrying");
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Reads the current partition map once, or undefined when none is published yet. */
export async function readPartitionMap(nc: NatsConnection, cluster: string): Promise<PartitionMap | undefined> {
  // Callers compare its jobId with their own.
  try {
    const kv = await new Kvm(nc).open(mapBucket(cluster));
    const e = await kv.get(MAP_KEY);
    if (!e || e.operation !== "PUT") return undefined;
    return { ...decodeMessage(e.value, ["map"]), epoch: e.revision };
  } catch {
    return undefined;
  }
}
