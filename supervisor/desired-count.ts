/**
 * Follows a desired actor count the coordinator records in JetStream KV (`colony scale
 * workers=N` / `shards=N` change it); the root supervisor converges its children to it.
 * The bucket appears when the coordinator starts; until then the watch keeps retrying.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { StateKey, stateBucket } from "../protocols/index.js";

const decoder = new TextDecoder();

/** Calls `onChange` with each count recorded for `jobId` under `key` (its field `field`), until `signal` aborts. */
export async function watchDesiredCount(opts: {
  nc: NatsConnection; cluster: string; jobId: string; signal: AbortSignal; onChange: (n: number) => void;
  key: (typeof StateKey)["Desired" | "DesiredShards"]; field: "workers" | "shards";
}): Promise<void> {
  const { nc, cluster, jobId, signal, onChange, key, field } = opts;
  while (!signal.aborted) {
    try {
      const kv = await new Kvm(nc).open(stateBucket(cluster));
      const iter = await kv.watch({ key });
      const stop = (): void => iter.stop();
      signal.addEventListener("abort", stop, { once: true });
      for await (const e of iter) {
        if (e.operation !== "PUT") continue;
        try {
          const d = JSON.parse(decoder.decode(e.value)) as Record<string, unknown>;
          const n = d[field];
          if (d["jobId"] === jobId && typeof n === "number" && Number.isInteger(n) && n >= 0) onChange(n);
        } catch { /* not ours to interpret */ }
      }
      signal.removeEventListener("abort", stop);
    } catch {
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
