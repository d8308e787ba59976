/**
 * The standby worker (`workers.standby`): the supervisor keeps one worker process
 * started and idle, and a scale-up hands it the new worker's id instead of starting
 * Node from scratch; a fresh standby follows.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runColony, startColony } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";

beforeAll(() => {
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pids of the processes of the run in `runDir` started as standby workers (an assigned one keeps its command line). */
function standbyPids(runDir: string): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes("--standby") && l.includes(join(runDir, "config.json"))).map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe("the standby worker", () => {
  it("becomes the new worker on a scale-up, and another standby takes its place", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "colony-standby-"));
    const job = startColony(["up", "examples/ctr.yaml", "--run-dir", runDir, "--json", "--set", "cluster=standby",
      "--set", `job.data.path=${ctrFile(200_000, 1)}`, "--set", `job.data.eval=${ctrFile(10_000, 2)}`, "--set", "job.batch=512",
      "--set", "job.data.rowsPerTask=4096", "--set", "workers.count=1"]);
    try {
      await untilStatus("standby", "training", isTraining);
      let ready: number[] = [];
      for (let i = 0; i < 60 && ready.length === 0; i++, await sleep(500)) ready = standbyPids(runDir);
      expect(ready).toHaveLength(1);
      expect((await runColony(["scale", "workers=2", "--cluster", "standby"])).code).toBe(0);
      const s = await untilStatus("standby", "worker-1 training", (x) => memberOf(x, "worker-1")?.state === "training");
      expect(memberOf(s, "worker-1").pid).toBe(ready[0]);
      let next: number[] = [];
      for (let i = 0; i < 60 && next.length === 0; i++, await sleep(500)) next = standbyPids(runDir).filter((pid) => pid !== ready[0]);
      expect(next).toHaveLength(1);
      expect(next[0]).not.toBe(ready[0]);
      expect((await runColony(["down", "--cluster", "standby"])).code).toBe(0);
      const run = await job.done;
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      // Nothing of the run is left, the standby included.
      expect(standbyPids(runDir)).toEqual([]);
    } finally {
      job.child.kill("SIGTERM");
    }
  }, 240_000);
});
