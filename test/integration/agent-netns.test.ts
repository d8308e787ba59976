/**
 * `colony agent` in its own network namespace (where the machine allows it: root and
 * `ip netns`), reaching the cluster's NATS over a veth pair through a TCP forwarder,
 * since the embedded nats-server listens on 127.0.0.1 only. The link is then cut
 * mid-training: the root declares the agent lost and starts its workers itself, the
 * agent fences itself (stops its workers), and once the link is back it joins again
 * and runs only what the root places on it. The job trains every row.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, COLONY, REPO, runColony } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus, workersOf } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const WORKING = new Set(["leasing", "training", "reporting", "waiting"]);
const tag = process.pid % 10_000;
const NS = `colony-t${tag}`;
const HOST_LINK = `vc${tag}a`;
const NS_LINK = `vc${tag}b`;
const SUBNET = `10.231.${tag % 250}`;
const HOST_ADDR = `${SUBNET}.1`;

const ip = (...args: string[]): string => execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Creates the namespace and its veth pair; false when the machine does not allow it. */
/** Why the namespace could not be made, when it could not. */
let namespaceError = "";

function createNamespace(): boolean {
  try {
    ip("netns", "add", NS);
    ip("link", "add", HOST_LINK, "type", "veth", "peer", "name", NS_LINK);
    ip("link", "set", NS_LINK, "netns", NS);
    ip("addr", "add", `${HOST_ADDR}/30`, "dev", HOST_LINK);
    ip("link", "set", HOST_LINK, "up");
    ip("netns", "exec", NS, "ip", "addr", "add", `${SUBNET}.2/30`, "dev", NS_LINK);
    ip("netns", "exec", NS, "ip", "link", "set", NS_LINK, "up");
    ip("netns", "exec", NS, "ip", "link", "set", "lo", "up");
    return true;
  } catch (err) {
    namespaceError = (err as Error).message.split("\n")[0] ?? "";
    removeNamespace();
    return false;
  }
}

function removeNamespace(): void {
  try { ip("link", "del", HOST_LINK); } catch { /* gone with the namespace */ }
  try { ip("netns", "del", NS); } catch { /* never made */ }
}

/** Forwards TCP from HOST_ADDR (reachable from the namespace) to the loopback NATS port. */
function forward(natsPort: number): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port: natsPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => { inbound.destroy(); outbound.destroy(); });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  server.on("close", () => { for (const s of sockets) s.destroy(); });
  return new Promise((resolve) => server.listen(0, HOST_ADDR, () => resolve(server)));
}

let namespaceReady = false;
beforeAll(() => {
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
  namespaceReady = createNamespace();
});
afterAll(removeNamespace);

describe("colony agent in its own network namespace", () => {
  it("runs the workers placed on it; cut off, it is replaced and fences itself, then joins again", async (ctx) => {
    // Network namespaces need root and iproute2; without them the agent.test.ts process-tree variant still runs.
    if (!namespaceReady) ctx.skip(`no network namespace here (ip netns / veth: ${namespaceError}); needs root and iproute2`);
    const rows = 200_000;
    const runDir = mkdtempSync(join(tmpdir(), "colony-agent-netns-"));
    const up = await runColony(["up", "examples/ctr.yaml", "--detach", "--run-dir", runDir,
      "--set", "cluster=netns", "--set", `job.data.path=${ctrFile(rows, 1)}`, "--set", `job.data.eval=${ctrFile(10_000, 2)}`,
      "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096", "--set", "supervision.heartbeatTimeoutMs=3000",
      "--set", "workers.count=1"], { timeoutMs: 200_000 });
    expect(up.code, up.stderr).toBe(0);
    const { nats, supervisorPid } = up.result as { nats: string; supervisorPid: number };
    const server = await forward(Number(new URL(nats).port));
    const url = `nats://${HOST_ADDR}:${(server.address() as AddressInfo).port}`;
    let agent: ChildProcess | undefined;
    try {
      agent = spawn("ip", ["netns", "exec", NS, process.execPath, COLONY, "agent", "--nats", url, "--cluster", "netns", "--id", "ns-1",
        "--workers-max", "2", "--run-dir", join(runDir, "agent-ns-1")], { cwd: REPO, detached: true, stdio: "ignore" });
      await untilStatus("netns", "the agent joined", (s) => s.agents?.some((a) => a.id === "ns-1" && a.state === "live") ?? false);
      expect((await runColony(["scale", "workers=3", "--cluster", "netns"])).code).toBe(0);
      const placed = await untilStatus("netns", "two workers training on the agent",
        (s) => isTraining(s) && workersOf(s).filter((w) => w.host === "ns-1" && WORKING.has(w.state)).length === 2, 90_000);
      const onAgent = workersOf(placed).filter((w) => w.host === "ns-1");
      // They run in the agent's namespace, not ours.
      for (const w of onAgent) expect(readlinkSync(`/proc/${w.pid}/ns/net`)).not.toBe(readlinkSync("/proc/self/ns/net"));

      ip("link", "set", HOST_LINK, "down");
      await untilStatus("netns", "worker-1 and worker-2 working on the root host", (s) =>
        s.agents?.find((a) => a.id === "ns-1")?.state === "lost"
        && ["worker-1", "worker-2"].every((id) => memberOf(s, id)?.host !== "ns-1" && WORKING.has(memberOf(s, id)?.state ?? "")), 90_000);
      // Fenced: the agent stops its own copies once NATS has been out of reach for the heartbeat timeout.
      for (let i = 0; i < 60 && onAgent.some((w) => alive(w.pid)); i++) await sleep(500);
      expect(onAgent.filter((w) => alive(w.pid))).toEqual([]);

      ip("link", "set", HOST_LINK, "up");
      await untilStatus("netns", "the agent joined again", (s) => s.agents?.find((a) => a.id === "ns-1")?.state === "live", 90_000);

      while (alive(supervisorPid)) await sleep(500);
      const result = JSON.parse(readFileSync(join(runDir, "logs", "supervisor.out"), "utf8").trim().split("\n").at(-1)!) as Record<string, unknown>;
      expect(result["ok"], JSON.stringify(result)).toBe(true);
      expect(result["rows"]).toBe(rows);
    } finally {
      if (agent?.pid !== undefined && alive(agent.pid)) process.kill(-agent.pid, "SIGKILL");
      server.close();
      if (alive(supervisorPid)) await runColony(["down", "--cluster", "netns"]);
    }
  }, 360_000);
});
