/**
 * `colony down`: ends the running job gracefully — the coordinator writes a final
 * checkpoint of what has been learned, then the supervisor stops every process — and
 * waits until the supervisor has exited.
 */
import { request } from "../actors/client.js";
import { subjects } from "../protocols/index.js";
import { connectToCluster, fetchStatus, type ClusterTarget } from "./cluster-client.js";

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/** Stops a running cluster; resolves with the exit code. */
export async function downCommand(args: ClusterTarget & { json: boolean; timeoutMs: number }): Promise<number> {
  const c = await connectToCluster(args);
  let pid: number;
  let runDir: string;
  try {
    const s = await fetchStatus(c);
    pid = s.supervisorPid;
    runDir = s.runDir;
    const r = await request(c.nc, subjects.finish(c.cluster), { v: 1, type: "ctl.finish", reason: "colony down" }, ["ctl.finished"], { timeoutMs: 5000 })
      .catch(() => undefined);
    // Not training (still starting, or already finishing): stop the supervisor directly.
    if (!r?.accepted && alive(pid)) process.kill(pid, "SIGTERM");
  } finally {
    await c.nc.close();
  }
  const deadline = Date.now() + args.timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
  const stopped = !alive(pid);
  process.stdout.write(args.json ? `${JSON.stringify({ cluster: c.cluster, stopped, checkpoint: `${runDir}/final` })}\n`
    : stopped ? `cluster ${c.cluster} stopped; final checkpoint in ${runDir}/final\n` : `cluster ${c.cluster} still stopping after ${args.timeoutMs / 1000} s (supervisor pid ${pid})\n`);
  return stopped ? 0 : 1;
}
