/**
 * ssp mode (issue 5): with a staleness bound of 1, no worker leases a task while it has
 * completed more than one task beyond the slowest live worker; a worker hung by SIGSTOP
 * holds the others back (they wait, counted) until it continues, and the job still
 * trains to the AUC floor. The coordinator's "job done" line reports the gate's figures.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startColony } from "../helpers/colony-cli.js";

describe("ssp mode", () => {
  it("keeps every worker within the staleness bound of the slowest, through a hung worker", async () => {
    process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
    const runDir = mkdtempSync(join(tmpdir(), "colony-ssp-"));
    const job = startColony(["up", "examples/adult.yaml", "--run-dir", runDir, "--json",
      "--set", "cluster=ssp", "--set", "job.mode=ssp", "--set", "job.staleness=1", "--set", "job.epochs=12",
      "--set", "job.data.rowsPerTask=1024", "--set", "workers.count=3", "--set", "partitions=16"]);
    await job.waitForOutput(/"rowsDone":[1-9].*"msg":"progress"/, 90_000);
    const started = job.waitForOutput(/"child":"worker-2".*"actor started"|"actor started".*"child":"worker-2"/, 1000);
    const line = await started;
    const pid = (JSON.parse(line) as { childPid: number }).childPid;
    process.kill(pid, "SIGSTOP");
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(pid, "SIGCONT");
    const run = await job.done;
    expect(run.result, run.stderr.slice(-2000)).toMatchObject({ ok: true });
    expect(run.result!["auc"] as number).toBeGreaterThan(0.9);
    const done = readFileSync(join(runDir, "logs", "coordinator.log"), "utf8").split("\n")
      .filter((l) => l.includes('"msg":"job done"')).map((l) => JSON.parse(l) as { ssp?: { waits: number; maxLead: number; bound: number } }).at(-1);
    expect(done?.ssp).toBeDefined();
    expect(done!.ssp!.bound).toBe(1);
    expect(done!.ssp!.maxLead).toBeLessThanOrEqual(1);
    // The hung worker held the others back: they asked and were told to wait.
    expect(done!.ssp!.waits).toBeGreaterThan(0);
  }, 180_000);
});
