/**
 * Sync mode (issue 5): steps of micro-batches committed through the update log give
 * bitwise the same parameters whatever the worker count, and through worker kills,
 * shard kills and scale events along the way. Parameters are compared by the digests
 * `colony inspect` prints (every tensor, rows sorted by id, independent of sharding),
 * so a run on three shards whose partitions keep moving must match too.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { alive, runColony, startColony, type ColonyRun } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus, workersOf } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";

// Long enough (about 50 steps) that the chaos run's kills and scale events land mid-job.
const ROWS = 48_000;

beforeAll(() => {
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

function startSync(cluster: string, workers: number, extra: string[] = []) {
  return startColony(["up", "examples/ctr.yaml", "--run-dir", mkdtempSync(join(tmpdir(), `colony-${cluster}-`)), "--json",
    "--set", `cluster=${cluster}`, "--set", `job.data.path=${ctrFile(ROWS, 1)}`, "--set", "job.data.eval=null",
    "--set", "job.mode=sync", "--set", "job.microBatches=4", "--set", "job.batch=1024", "--set", `workers.count=${workers}`,
    "--set", "shards.snapshotMs=500", "--set", "supervision.heartbeatTimeoutMs=3000", "--set", "job.leaseMs=3000", ...extra]);
}

async function digestOf(run: ColonyRun): Promise<unknown> {
  expect(run.code, run.stderr.slice(-3000)).toBe(0);
  expect(run.result!["rows"]).toBe(ROWS);
  const inspected = await runColony(["inspect", "--checkpoint", String(run.result!["checkpoint"]), "--json"]);
  expect(inspected.code, inspected.stderr).toBe(0);
  return inspected.result!["digest"];
}

/** The fault-free 2-worker run both tests compare with, run once. */
let baseline: Promise<unknown> | undefined;
const baselineDigest = (): Promise<unknown> => (baseline ??= startSync("synctwo", 2).done.then(digestOf));

describe("sync mode", () => {
  it("ends bitwise identical with 2 workers, with 3, and with kills and scaling on the way", async () => {
    const two = await baselineDigest();
    const three = await digestOf(await startSync("syncthree", 3).done);
    expect(two).toBeDefined();
    expect(three).toEqual(two);

    const job = startSync("syncchaos", 2);
    const s = await untilStatus("syncchaos", "training", isTraining);
    // A worker killed mid-step: its micro-batch is leased again and computed again.
    const w0 = memberOf(s, "worker-0").pid;
    process.kill(w0, "SIGKILL");
    expect((await runColony(["scale", "workers=3", "--cluster", "syncchaos"])).code).toBe(0);
    const snap = await untilStatus("syncchaos", "a past snapshot on shard-0", (x) => (memberOf(x, "shard-0").counters["snapshots.written"] ?? 0) >= 1);
    // A shard killed while entries of an open step are held: it comes back from its snapshot and reads them again.
    const sh0 = memberOf(snap, "shard-0").pid;
    process.kill(sh0, "SIGKILL");
    expect((await runColony(["scale", "workers=1", "--cluster", "syncchaos"])).code).toBe(0);
    await untilStatus("syncchaos", "shard-0 back and one worker", (x) =>
      memberOf(x, "shard-0").pid !== sh0 && memberOf(x, "shard-0").restarts >= 1 && workersOf(x).length === 1);
    expect(alive(w0)).toBe(false);
    // Status answered through all of it, so every kill and scale landed while the job ran.
    expect(await digestOf(await job.done)).toEqual(two);
  });

  it("ends bitwise identical on three shards while the rebalancer keeps moving partitions, through a shard kill", async () => {
    const two = await baselineDigest();
    // A target of 1.0 is never quite met: every round that can lower max/mean moves something.
    const job = startSync("syncmove", 2, ["--set", "shards.count=3", "--set", "rebalance.targetRatio=1", "--set", "rebalance.intervalMs=500",
      "--set", "rebalance.cooldownMs=1500", "--set", "rebalance.maxMoves=6", "--set", "shards.loadHalfLifeMs=1000", "--set", "shards.loadReportMs=250"]);
    const moved = (x: Parameters<typeof memberOf>[0]): number =>
      x.members.filter((m) => m.kind === "shard").reduce((a, m) => a + (m.counters["handoffs.received"] ?? 0), 0);
    const s = await untilStatus("syncmove", "a partition moved", (x) => isTraining(x) && moved(x) >= 1, 60_000);
    // The shard that took partitions over is killed: it comes back from its snapshot and
    // the log, taking the handoffs again from the store where they wait.
    const taker = s.members.find((m) => m.kind === "shard" && (m.counters["handoffs.received"] ?? 0) > 0)!;
    process.kill(taker.pid, "SIGKILL");
    const after = await untilStatus("syncmove", `${taker.id} back`, (x) => memberOf(x, taker.id).pid !== taker.pid && memberOf(x, taker.id).state === "serving");
    expect(memberOf(after, taker.id).restarts).toBeGreaterThanOrEqual(1);
    const run = await job.done;
    expect(await digestOf(run)).toEqual(two);
  });
});
