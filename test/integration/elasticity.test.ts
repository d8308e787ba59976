import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { actorPids, alive, runColony, startColony, type ColonyProcess } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus, workersOf } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";

beforeAll(() => {
  // Operator commands find clusters through this registry: keep the tests' own.
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

function startJob(cluster: string, extra: string[] = [], rows = 60_000): ColonyProcess {
  return startColony(["up", "examples/ctr.yaml", "--run-dir", mkdtempSync(join(tmpdir(), `colony-${cluster}-`)), "--json",
    "--set", `cluster=${cluster}`, "--set", `job.data.path=${ctrFile(rows, 1)}`, "--set", `job.data.eval=${ctrFile(10_000, 2)}`,
    "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096", "--set", "supervision.heartbeatTimeoutMs=3000", ...extra]);
}

const until = untilStatus;
const workers = workersOf;
const member = memberOf;
const training = isTraining;

describe("a running cluster", () => {
  it("scales from 1 to 4 to 2 workers during one epoch: every row is trained, the job completes, the AUC floor holds", async () => {
    // 200k rows: long enough that the scale down lands (and is seen) before the job ends
    // on a loaded machine; with 100k the job once ended before status saw two workers.
    const job = startJob("scale", ["--set", "workers.count=1"], 200_000);
    await until("scale", "training with one worker", (s) => training(s) && workers(s).length === 1);
    expect((await runColony(["scale", "workers=4", "--cluster", "scale"])).code).toBe(0);
    const four = await until("scale", "four working workers", (s) => workers(s).filter((w) => w.state === "training" || w.state === "leasing").length === 4);
    expect(four.desiredWorkers).toBe(4);
    expect(four.progress!.rowsDone).toBeLessThan(200_000);
    expect((await runColony(["scale", "workers=2", "--cluster", "scale"])).code).toBe(0);
    await until("scale", "two workers", (s) => workers(s).length === 2);

    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.result!["rows"]).toBe(200_000);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.62);
  });

  it("restarts a worker killed with SIGKILL; the job completes and no row is skipped", async () => {
    const job = startJob("killworker");
    const s = await until("killworker", "training", training);
    const victim = member(s, "worker-0");
    process.kill(victim.pid, "SIGKILL");
    const after = await until("killworker", "worker-0 replaced", (x) => member(x, "worker-0").pid !== victim.pid && member(x, "worker-0").restarts >= 1);
    expect(after.events.join("\n")).toMatch(/worker-0/);
    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.result!["rows"]).toBe(60_000);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.62);
  });

  it("kills and replaces a worker that is stopped (SIGSTOP) and so sends no heartbeat", async () => {
    const job = startJob("stopworker");
    const s = await until("stopworker", "training", training);
    const victim = member(s, "worker-1");
    process.kill(victim.pid, "SIGSTOP");
    await until("stopworker", "worker-1 replaced", (x) => member(x, "worker-1").pid !== victim.pid, 30_000);
    expect(alive(victim.pid)).toBe(false);
    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.result!["rows"]).toBe(60_000);
  });

  it("restarts a shard killed with SIGKILL from its latest snapshot; the job completes to its AUC floor", async () => {
    const job = startJob("killshard", ["--set", "shards.snapshotMs=1000"], 100_000);
    const s = await until("killshard", "training past a snapshot", (x) => training(x) && (member(x, "shard-1").counters["snapshots.written"] ?? 0) >= 1);
    const victim = member(s, "shard-1");
    process.kill(victim.pid, "SIGKILL");
    const back = await until("killshard", "shard-1 serving again", (x) => member(x, "shard-1").pid !== victim.pid && member(x, "shard-1").state === "serving");
    expect(member(back, "shard-1").counters["snapshots.restored"]).toBe(1);
    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    // The crash is reported by name and signal, not only repaired.
    expect(run.stderr).toMatch(/"child":"shard-1".*"SIGKILL".*"msg":"actor crashed"/);
    expect(run.result!["rows"]).toBe(100_000);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.62);
  });

  it("restarts a coordinator killed with SIGKILL, which resumes the job where it was", async () => {
    const job = startJob("killcoord");
    const s = await until("killcoord", "training past the first tasks", (x) => training(x) && x.progress!.rowsDone >= 8192);
    const done = s.progress!.rowsDone;
    process.kill(member(s, "coordinator").pid, "SIGKILL");
    const back = await until("killcoord", "a new coordinator training", (x) => member(x, "coordinator").restarts >= 1 && training(x));
    // It resumed: progress saved before the kill is still counted.
    expect(back.progress!.rowsDone).toBeGreaterThanOrEqual(done);
    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.result!["rows"]).toBe(60_000);
  });

  it("gives up when a child crashes past the restart intensity, stopping the job with a clear error and no process left", async () => {
    // intensity 1: the workers supervisor gives up on its second restart within the period and
    // escalates; the root restarts it once, and gives up itself the next time.
    const job = startJob("crashloop", ["--set", "supervision.intensity=1", "--set", "supervision.periodMs=60000", "--set", "job.epochs=50",
      // Only our kills may count: on a loaded machine a slow start missing the usual 3 s
      // heartbeat timeout would be killed as unresponsive and trip intensity 1 by itself.
      "--set", "supervision.heartbeatTimeoutMs=30000"], 100_000);
    let ended = false;
    void job.done.then(() => { ended = true; });
    let s = await until("crashloop", "training", training);
    let kills = 0;
    // Each round kills both workers: two restarts within the period trip the workers supervisor.
    while (!ended && kills < 20) {
      const pids = workers(s).map((w) => w.pid).filter(alive);
      for (const pid of pids) process.kill(pid, "SIGKILL");
      kills += pids.length;
      s = await until("crashloop", "new workers", (x) => workers(x).length > 0 && workers(x).every((w) => !pids.includes(w.pid) && alive(w.pid)), 10_000)
        .catch(() => s);
    }
    const run = await job.done;
    // Two rounds of kills trip both supervisors.
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(run.code).toBe(1);
    expect(String(run.result!["error"])).toMatch(/intensity/i);
    expect(run.stderr).toMatch(/supervision gave up/);
    expect(actorPids(run.stderr).filter(alive)).toEqual([]);
  });

  it("colony down ends the job early with a final checkpoint that colony eval can score", async () => {
    // Five epochs: long enough that `down` lands before the job would end by itself.
    const job = startJob("down", ["--set", "job.epochs=5"], 100_000);
    await until("down", "training", training);
    const down = await runColony(["down", "--cluster", "down", "--json"]);
    expect(down.code, down.stderr).toBe(0);
    const run = await job.done;
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.result!["rows"] as number).toBeLessThan(500_000);
    const scored = await runColony(["eval", "--checkpoint", String(run.result!["checkpoint"]), "--data", ctrFile(10_000, 2)]);
    expect(scored.code).toBe(0);
    expect(scored.result!["rows"]).toBe(10_000);
  });

  it("says so when asked to scale a cluster that does not exist", async () => {
    const r = await runColony(["scale", "workers=3", "--cluster", "nosuchcluster"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no running cluster named 'nosuchcluster'/);
  });
});
