/**
 * `colony agent` with real processes: a cluster started with `colony up --detach`, an
 * agent joining it from its own process tree (its own process group, as another host
 * would be), workers placed on it by `colony scale`, and the agent's whole tree killed
 * with SIGKILL mid-training: its workers come back on the root host and the job trains
 * every row. A SIGSTOPped worker on the agent is replaced by the agent's own supervisor.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { alive, COLONY, REPO, runColony } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus, workersOf } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";
import { withNats } from "../helpers/nats-harness.js";

beforeAll(() => {
  // Operator commands find clusters through this registry: keep the tests' own.
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const WORKING = new Set(["leasing", "training", "reporting", "waiting"]);

/** Starts `colony agent` as the leader of its own process group (so the whole tree can be killed at once). */
function startAgent(args: string[]): ChildProcess {
  return spawn(process.execPath, [COLONY, "agent", ...args], { cwd: REPO, detached: true, stdio: "ignore" });
}

/** The process group of a pid (field 5 of /proc/PID/stat), or -1 once it is gone. */
function processGroupOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return -1;
  }
}

describe("colony agent", () => {
  it("runs the workers placed on it, replaces a silent one; when its process tree is killed they are placed on the root and every row is trained", async () => {
    const rows = 200_000;
    const runDir = mkdtempSync(join(tmpdir(), "colony-agent-"));
    const up = await runColony(["up", "examples/ctr.yaml", "--detach", "--run-dir", runDir,
      "--set", "cluster=agents", "--set", `job.data.path=${ctrFile(rows, 1)}`, "--set", `job.data.eval=${ctrFile(10_000, 2)}`,
      "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096", "--set", "supervision.heartbeatTimeoutMs=3000",
      "--set", "workers.count=1"], { timeoutMs: 200_000 });
    expect(up.code, up.stderr).toBe(0);
    const { nats, supervisorPid } = up.result as { nats: string; supervisorPid: number };
    const agent = startAgent(["--nats", nats, "--cluster", "agents", "--id", "edge-1", "--workers-max", "2", "--run-dir", join(runDir, "agent-edge-1")]);
    try {
      await untilStatus("agents", "the agent joined", (s) => s.agents?.some((a) => a.id === "edge-1" && a.state === "live") ?? false);
      const refused = await runColony(["agent", "--nats", nats, "--cluster", "agents", "--id", "edge-1", "--run-dir", join(runDir, "agent-dup")]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/already running/);

      expect((await runColony(["scale", "workers=3", "--cluster", "agents"])).code).toBe(0);
      const placed = await untilStatus("agents", "two workers training on the agent",
        (s) => isTraining(s) && workersOf(s).filter((w) => w.host === "edge-1" && WORKING.has(w.state)).length === 2, 90_000);
      const onAgent = workersOf(placed).filter((w) => w.host === "edge-1");
      expect(onAgent.map((w) => w.id).sort()).toEqual(["worker-1", "worker-2"]);
      expect(placed.agents!.find((a) => a.id === "edge-1")!.workers).toEqual(["worker-1", "worker-2"]);
      // They are the agent's children: in its process group, not the root supervisor's.
      for (const w of onAgent) expect(processGroupOf(w.pid)).toBe(agent.pid);
      expect(memberOf(placed, "worker-0").host).not.toBe("edge-1");
      expect(placed.progress!.rowsDone).toBeLessThan(rows);

      // A worker on the agent that stops heartbeating (SIGSTOP) is killed and replaced by the agent's supervisor.
      const stopped = onAgent.find((w) => w.id === "worker-2")!;
      process.kill(stopped.pid, "SIGSTOP");
      const replaced = await untilStatus("agents", "worker-2 replaced on the agent", (s) => {
        const w = memberOf(s, "worker-2");
        return w !== undefined && w.pid !== stopped.pid && w.host === "edge-1" && WORKING.has(w.state);
      }, 90_000);
      expect(alive(stopped.pid)).toBe(false);
      expect(memberOf(replaced, "worker-2").restarts).toBeGreaterThanOrEqual(1);
      onAgent.splice(onAgent.indexOf(stopped), 1, memberOf(replaced, "worker-2"));

      process.kill(-agent.pid!, "SIGKILL");
      const moved = await untilStatus("agents", "worker-1 and worker-2 working on the root host", (s) =>
        s.agents?.find((a) => a.id === "edge-1")?.state === "lost"
        && ["worker-1", "worker-2"].every((id) => {
          const w = memberOf(s, id);
          return w !== undefined && w.host !== "edge-1" && WORKING.has(w.state) && !onAgent.some((o) => o.pid === w.pid);
        }), 90_000);
      for (const w of onAgent) expect(alive(w.pid)).toBe(false);
      expect(moved.events.join("\n")).toMatch(/agent edge-1 lost/);

      // The detached job ends by itself; its result is the last line of its output.
      while (alive(supervisorPid)) await sleep(500);
      const result = JSON.parse(readFileSync(join(runDir, "logs", "supervisor.out"), "utf8").trim().split("\n").at(-1)!) as Record<string, unknown>;
      expect(result["ok"], JSON.stringify(result)).toBe(true);
      expect(result["rows"]).toBe(rows);
    } finally {
      if (agent.pid !== undefined && alive(agent.pid)) process.kill(-agent.pid, "SIGKILL");
      if (alive(supervisorPid)) await runColony(["down", "--cluster", "agents"]);
    }
  }, 300_000);

  it("says so when no cluster of that name answers at the NATS URL", async () => {
    await withNats(async (n) => {
      const r = await runColony(["agent", "--nats", n.url, "--cluster", "nowhere"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no cluster named 'nowhere' answers/);
    });
  });

  it("says so when NATS cannot be reached", async () => {
    const r = await runColony(["agent", "--nats", "nats://127.0.0.1:1", "--cluster", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach NATS at nats:\/\/127.0.0.1:1/);
  });
});
