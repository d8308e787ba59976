/** `colony scale workers=N`: records a new desired worker count; the supervisor converges to it. */
import { request } from "../actors/client.js";
import { subjects } from "../protocols/index.js";
import { connectToCluster, type ClusterTarget } from "./cluster-client.js";

/** Parses "workers=N" (the only count scalable today). */
export function parseScaleArg(arg: string | undefined): number {
  const m = /^workers=(\d+)$/.exec(arg ?? "");
  if (!m) throw new RangeError(`expected workers=N (N from 0 to 256), got '${arg ?? ""}'`);
  const n = Number(m[1]);
  if (n > 256) throw new RangeError(`workers=${n} is more than 256`);
  return n;
}

/** Sends the scale request; resolves with the exit code. */
export async function scaleCommand(args: ClusterTarget & { workers: number; json: boolean }): Promise<number> {
  const c = await connectToCluster(args);
  try {
    const r = await request(c.nc, subjects.scale(c.cluster), { v: 1, type: "ctl.scale", workers: args.workers }, ["ctl.scaled"], { timeoutMs: 5000 });
    process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, accepted: r.accepted, workers: r.workers, reason: r.reason })}\n`
      : r.accepted ? `cluster ${c.cluster}: desired workers now ${r.workers}\n` : `cluster ${c.cluster}: scale refused: ${r.reason ?? "no reason given"}\n`);
    return r.accepted ? 0 : 1;
  } finally {
    await c.nc.close();
  }
}
