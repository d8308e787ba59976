import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { parseProcStat, ProcessRole, ProcessTreeCpu, roleOf } from "../../../bench/process-tree-cpu.js";

describe("CPU time of a process tree from /proc", () => {
  it("reads ppid and the four times after the command name, even one with spaces and parentheses", () => {
    const line = "4242 (node (worker) 1) S 4100 4100 20053 0 -1 4194304 99 0 0 0 1234 56 78 9 20 0 11 0 3163019 3133440 382 18446744073709551615";
    const s = parseProcStat(line);
    expect(s).toEqual({ pid: 4242, comm: "node (worker) 1", ppid: 4100, utime: 1234, stime: 56, cutime: 78, cstime: 9 });
  });

  it("refuses a line that is not a stat line", () => {
    expect(() => parseProcStat("no parentheses here")).toThrow(/not a \/proc stat line/);
  });

  it("names each cluster process by its role: root, nats-server, and actors by --kind", () => {
    expect(roleOf("node", ["node", "dist/bin/colony.js", "up"], true)).toBe(ProcessRole.Supervisor);
    expect(roleOf("nats-server", ["/usr/sbin/nats-server", "-js"], false)).toBe(ProcessRole.Nats);
    expect(roleOf("node", ["node", "dist/actors/main.js", "--kind", "shard", "--id", "shard-1"], false)).toBe(ProcessRole.Shard);
    expect(roleOf("node", ["node", "dist/actors/main.js", "--kind", "worker"], false)).toBe(ProcessRole.Worker);
    expect(roleOf("node", ["node", "x.js", "--kind"], false)).toBe(ProcessRole.Other);
    expect(roleOf("sh", ["sh", "-c", "true"], false)).toBe(ProcessRole.Other);
  });

  it.runIf(process.platform === "linux")("counts a live child's CPU in the tree of its parent, under its role", async () => {
    // A child that spins for 300 ms of CPU, says so, then waits to be killed.
    const child = spawn(process.execPath, ["-e", "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000); console.log('spun'); setTimeout(() => {}, 60000);"]);
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      expect(line.toString()).toContain("spun");
      const s = new ProcessTreeCpu().sample(process.pid)!;
      expect(s.processes).toBeGreaterThanOrEqual(2);
      expect(s.byRole.other).toBeGreaterThanOrEqual(0.25);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it.runIf(process.platform === "linux")("samples this process as the root of its own tree, with the time it has used", () => {
    const tree = new ProcessTreeCpu();
    const s = tree.sample(process.pid)!;
    expect(s.processes).toBeGreaterThanOrEqual(1);
    expect(s.byRole.supervisor).toBeGreaterThan(0);
    expect(s.seconds).toBeGreaterThanOrEqual(s.byRole.supervisor);
    expect(tree.sample(2 ** 22 + 1)?.processes).toBe(0);
  });
});
