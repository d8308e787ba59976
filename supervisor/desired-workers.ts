/**
 * Follows the desired worker count the coordinator records in JetStream KV (`colony
 * scale workers=N` changes it). The root supervisor converges its worker children to it.
 * The bucket appears when the coordinator starts; until then the watch keeps retrying.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { StateKey, stateBucket } from "../protocols/index.js";

const decoder = new TextDecoder();

/** Calls `onChange` with each desired worker count recorded for `jobId`, until `signal` aborts. */
export async function watchDesiredWorkers(opts: {
  nc: NatsConnection; cluster: string; jobId: string; signal: AbortSignal; onChange: (workers: number) => void;
}): Promise<void> {
  const { nc, cluster, jobId, signal, onChange } = opts;
  while (!signal.aborted) {
    try {
      const kv = await new Kvm(nc).open(stateBucket(cluster));
      const iter = await kv.watch({ key: StateKey.Desired });
      const stop = (): void => iter.stop();
      signal.addEventListener("abort", stop, { once: true });
      for await (const e of iter) {
        if (e.operation !== "PUT") continue;
        try {
          const d = JSON.parse(decoder.decode(e.value)) as { jobId?: unknown; workers?: unknown };
          if (d.jobId === jobId && typeof d.workers === "number" && Number.isInteger(d.workers) && d.workers >= 0) onChange(d.workers);
        } catch { /* not ours to interpret */ }
      }
      signal.removeEventListener("abort", stop);
    } catch {
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
