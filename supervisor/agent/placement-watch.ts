/**
 * Follows the worker placement the root supervisor records in the state bucket
 * (StateKey.Placement) and hands each newer revision of this job's placement to a
 * callback. The watch starts with the latest value, so an agent that joins late
 * sees the placement that was there before it.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { parseWorkerPlacement, StateKey, stateBucket, type WorkerPlacement } from "../../protocols/index.js";

const decoder = new TextDecoder();

/** Calls `onPlacement` with each newer placement of `jobId`, until `signal` aborts; retries while the bucket is missing. */
export async function watchWorkerPlacement(opts: {
  nc: NatsConnection; cluster: string; jobId: string; signal: AbortSignal; onPlacement: (p: WorkerPlacement) => void;
}): Promise<void> {
  const { nc, cluster, jobId, signal, onPlacement } = opts;
  let revision = -1;
  while (!signal.aborted) {
    try {
      const kv = await new Kvm(nc).open(stateBucket(cluster));
      const iter = await kv.watch({ key: StateKey.Placement });
      const stop = (): void => iter.stop();
      signal.addEventListener("abort", stop, { once: true });
      for await (const e of iter) {
        if (e.operation !== "PUT") continue;
        const p = parseWorkerPlacement(decoder.decode(e.value));
        if (p && p.jobId === jobId && p.revision > revision) {
          revision = p.revision;
          onPlacement(p);
        }
      }
      signal.removeEventListener("abort", stop);
    } catch {
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
