/**
 * `colony scale workers=N` records a new desired worker count; `colony scale shards=N`
 * asks the coordinator to grow or shrink the parameter shards (partitions move live; a
 * shrink returns once the leaving shards' partitions are handed over). Supervisors
 * converge to the recorded counts.
 */
import { request } from "../actors/client.js";
import { MAX_SHARDS, subjects } from "../protocols/index.js";
import { connectToCluster, type ClusterTarget } from "./cluster-client.js";

/** What to scale, parsed from "workers=N" or "shards=N". */
export type ScaleTarget = { readonly workers: number } | { readonly shards: number };

/** Parses "workers=N" (0..256) or "shards=N" (1..64). */
export function parseScaleArg(arg: string | undefined): ScaleTarget {
  const m = /^(workers|shards)=(\d+)$/.exec(arg ?? "");
  if (!m) throw new RangeError(`expected workers=N (N from 0 to 256) or shards=N (N from 1 to ${MAX_SHARDS}), got '${arg ?? ""}'`);
  const n = Number(m[2]);
  if (m[1] === "workers") {
    if (n > 256) throw new RangeError(`workers=${n} is more than 256`);
    return { workers: n };
  }
  if (n < 1 || n > MAX_SHARDS) throw new RangeError(`shards=${n} is outside 1..${MAX_SHARDS}`);
  return { shards: n };
}

/** Sends the scale request; resolves with the exit code. */
export async function scaleCommand(args: ClusterTarget & ScaleTarget & { json: boolean }): Promise<number> {
  const c = await connectToCluster(args);
  try {
    if ("shards" in args) {
      // A shrink answers once the leaving shards' partitions are handed over: give it time.
      const r = await request(c.nc, subjects.scaleShards(c.cluster), { v: 1, type: "ctl.scale.shards", shards: args.shards }, ["ctl.scaled.shards"], { timeoutMs: 150_000 });
      process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, accepted: r.accepted, shards: r.shards, drained: r.drained, reason: r.reason })}\n`
        : r.accepted ? `cluster ${c.cluster}: desired shards now ${r.shards}${r.drained ? ` (${r.drained} partition(s) moved off the leaving shards)` : ""}\n`
          : `cluster ${c.cluster}: scale refused: ${r.reason ?? "no reason given"}\n`);
      return r.accepted ? 0 : 1;
    }
    const r = await request(c.nc, subjects.scale(c.cluster), { v: 1, type: "ctl.scale", workers: args.workers }, ["ctl.scaled"], { timeoutMs: 5000 });
    process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, accepted: r.accepted, workers: r.workers, reason: r.reason })}\n`
      : r.accepted ? `cluster ${c.cluster}: desired workers now ${r.workers}\n` : `cluster ${c.cluster}: scale refused: ${r.reason ?? "no reason given"}\n`);
    return r.accepted ? 0 : 1;
  } finally {
    await c.nc.close();
  }
}
