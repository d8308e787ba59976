/**
 * Where running clusters can be found on this machine: one JSON file per cluster under
 * `$COLONY_HOME/clusters/` (default `~/.colony/clusters/`), written by the root
 * supervisor when its cluster is up and removed when it stops. `colony status`,
 * `scale` and `down` read it to find a cluster by name (or the only one running).
 * An entry whose supervisor process is gone is stale and ignored.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { TerminalError } from "../protocols/index.js";

/** How to reach a running cluster. */
export interface ClusterEntry {
  readonly cluster: string;
  readonly natsUrl: string;
  readonly supervisorPid: number;
  readonly runDir: string;
  readonly startedAt: string;
  /** The Prometheus scrape URL, when the cluster serves one. */
  readonly metricsUrl?: string;
}

/** No running cluster matches what was asked for. */
export class ClusterNotFoundError extends TerminalError {
  constructor(message: string) {
    super("cluster.not_found", message);
  }
}

const registryDir = (): string => join(process.env["COLONY_HOME"] ?? join(homedir(), ".colony"), "clusters");

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Records a running cluster. */
export async function registerCluster(entry: ClusterEntry): Promise<void> {
  await mkdir(registryDir(), { recursive: true });
  await writeFile(join(registryDir(), `${entry.cluster}.json`), JSON.stringify(entry, null, 2));
}

/** Forgets a cluster (only if the entry is still this supervisor's). */
export async function unregisterCluster(cluster: string, supervisorPid: number): Promise<void> {
  const file = join(registryDir(), `${cluster}.json`);
  try {
    const e = JSON.parse(await readFile(file, "utf8")) as ClusterEntry;
    if (e.supervisorPid === supervisorPid) await rm(file, { force: true });
  } catch { /* already gone */ }
}

/** Every cluster whose supervisor is still running. */
export async function runningClusters(): Promise<ClusterEntry[]> {
  let names: string[];
  try {
    names = await readdir(registryDir());
  } catch {
    return [];
  }
  const out: ClusterEntry[] = [];
  for (const n of names.filter((f) => f.endsWith(".json"))) {
    try {
      const e = JSON.parse(await readFile(join(registryDir(), n), "utf8")) as ClusterEntry;
      if (alive(e.supervisorPid)) out.push(e);
    } catch { /* a half-written or foreign file is not a cluster */ }
  }
  return out.sort((a, b) => a.cluster.localeCompare(b.cluster));
}

/** The cluster named `name`, or the only one running when no name is given. */
export async function findCluster(name?: string): Promise<ClusterEntry> {
  const all = await runningClusters();
  if (name !== undefined) {
    const e = all.find((c) => c.cluster === name);
    if (!e) {
      throw new ClusterNotFoundError(`no running cluster named '${name}' on this machine${all.length ? ` (running: ${all.map((c) => c.cluster).join(", ")})` : ""}; start one with colony up CONFIG --detach, or pass --nats URL`);
    }
    return e;
  }
  if (all.length === 0) throw new ClusterNotFoundError("no cluster is running on this machine; start one with colony up CONFIG --detach, or pass --nats URL --cluster NAME");
  if (all.length > 1) throw new ClusterNotFoundError(`${all.length} clusters are running (${all.map((c) => c.cluster).join(", ")}): say which with --cluster NAME`);
  return all[0]!;
}
