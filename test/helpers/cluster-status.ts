/**
 * Reading a running cluster the way an operator does, through `colony status --json`,
 * and waiting for it to reach a condition. Tests that kill or scale actors use it to
 * know when the cluster has reacted.
 */
import type { MemberStatus, StatusReply } from "../../protocols/index.js";
import { runColony } from "./colony-cli.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One `colony status --json` of a cluster. */
export async function clusterStatus(cluster: string): Promise<StatusReply> {
  const r = await runColony(["status", "--cluster", cluster, "--json"]);
  if (r.code !== 0) throw new Error(`colony status failed: ${r.stderr}`);
  return r.result as unknown as StatusReply;
}

/** Polls status until `check` holds; throws with the last members seen after `timeoutMs`. */
export async function untilStatus(cluster: string, what: string, check: (s: StatusReply) => boolean, timeoutMs = 60_000): Promise<StatusReply> {
  const deadline = Date.now() + timeoutMs;
  let last: StatusReply | undefined;
  while (Date.now() < deadline) {
    try {
      last = await clusterStatus(cluster);
      if (check(last)) return last;
    } catch { /* not up yet */ }
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last?.members.map((m) => [m.id, m.state, m.pid]))}`);
}

/** The workers of a status. */
export const workersOf = (s: StatusReply): MemberStatus[] => s.members.filter((m) => m.kind === "worker");
/** One member of a status, by id. */
export const memberOf = (s: StatusReply, id: string): MemberStatus => s.members.find((m) => m.id === id)!;
/** Whether the job is training and has trained some rows. */
export const isTraining = (s: StatusReply): boolean => memberOf(s, "coordinator")?.state === "training" && (s.progress?.rowsDone ?? 0) > 0;
