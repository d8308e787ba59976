import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actorPids, alive, startColony } from "../helpers/colony-cli.js";
import { ctrFile } from "../helpers/ctr-data.js";

describe("a child process that dies while the job runs", () => {
  it("is reported with its name and signal, the job stops with an error instead of hanging, and no process is left", async () => {
    const train = ctrFile(40_000, 1);
    const colony = startColony(["up", "examples/ctr.yaml", "--run-dir", mkdtempSync(join(tmpdir(), "colony-crash-")), "--json",
      "--set", "cluster=crash", "--set", `job.data.path=${train}`, "--set", "job.data.eval=null", "--set", "job.batch=512"]);
    const line = await colony.waitForOutput(/"child":"shard-1".*"msg":"actor started"/, 60_000);
    const shardPid = (JSON.parse(line) as { childPid: number }).childPid;
    await colony.waitForOutput(/"msg":"progress"/, 90_000);
    process.kill(shardPid, "SIGKILL");

    const run = await colony.done;
    expect(run.code).toBe(1);
    expect(run.result!["ok"]).toBe(false);
    expect(run.result!["error"]).toMatch(/shard-1 exited unexpectedly \(SIGKILL\)/);
    expect(run.stderr).toMatch(/"msg":"actor crashed"/);
    expect(actorPids(run.stderr).filter(alive)).toEqual([]);
  });
});
