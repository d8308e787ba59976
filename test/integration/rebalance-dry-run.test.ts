/**
 * Load accounting and the rebalance dry run on a real cluster: four shards serve a
 * Zipf(1.3) click log; each shard reports per-partition access rates; the coordinator
 * plans partition moves from them, and `colony rebalance --dry-run --json` prints them.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeMessage, subjects, type LoadReport, type RebalancePlanReply, type StatusReply } from "../../protocols/index.js";
import { isTraining, untilStatus } from "../helpers/cluster-status.js";
import { runColony, startColony, type ColonyProcess } from "../helpers/colony-cli.js";
import { ctrFile } from "../helpers/ctr-data.js";

const CLUSTER = "rebaldry";
const SHARDS = ["shard-0", "shard-1", "shard-2", "shard-3"];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let job: ColonyProcess | undefined;

beforeAll(() => {
  // Operator commands find clusters through this registry: keep the tests' own.
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

afterAll(async () => {
  if (!job) return;
  await runColony(["down", "--cluster", CLUSTER]).catch(() => undefined);
  const run = await job.done;
  expect(run.code, run.stderr.slice(-2000)).toBe(0);
});

/** Counter sums over the shards of a status. */
const shardCounter = (s: StatusReply, name: string): number =>
  s.members.filter((m) => m.kind === "shard").reduce((a, m) => a + (m.counters[name] ?? 0), 0);

describe("colony rebalance --dry-run on a running 4-shard cluster", () => {
  it("reports every shard's load, consistent with the rows the shards count, and a plan that never raises max/mean", async () => {
    job = startColony(["up", "examples/ctr.yaml", "--run-dir", mkdtempSync(join(tmpdir(), `colony-${CLUSTER}-`)), "--json",
      "--set", `cluster=${CLUSTER}`, "--set", `job.data.path=${ctrFile(40_000, 1, { zipf: 1.3 })}`, "--set", `job.data.eval=${ctrFile(2000, 2, { zipf: 1.3 })}`,
      "--set", "shards.count=4", "--set", "workers.count=2", "--set", "job.epochs=50",
      "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096", "--set", "supervision.heartbeatTimeoutMs=20000",
      // Nothing moves on its own here: the plan is compared with the load it was made from.
      "--set", "rebalance.auto=false"]);

    // Every shard serving and reporting a non-zero load.
    const reporting = (s: StatusReply): boolean => isTraining(s)
      && SHARDS.every((id) => (s.shardLoad ?? []).some((l) => l.shardId === id && l.pullRowsPerSec > 0 && l.pushRowsPerSec > 0));
    const first = await untilStatus(CLUSTER, "load reports from all four shards", reporting, 45_000);
    // A few report intervals of steady training, counting the rows the shards serve meanwhile.
    await sleep(8000);
    const second = await untilStatus(CLUSTER, "a later status", reporting, 10_000);
    const seconds = (second.uptimeMs - first.uptimeMs) / 1000;
    const countedRowsPerSec = (shardCounter(second, "rows.pulled") + shardCounter(second, "rows.applied")
      - shardCounter(first, "rows.pulled") - shardCounter(first, "rows.applied")) / seconds;

    const dry = await runColony(["rebalance", "--dry-run", "--json", "--cluster", CLUSTER]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = dry.result as unknown as RebalancePlanReply & { dryRun: boolean };
    process.stderr.write(`rebalance dry run: ${JSON.stringify({ shards: plan.shards, ratioBefore: plan.ratioBefore, ratioAfter: plan.ratioAfter,
      moves: plan.moves.length, verdict: plan.verdict, explanation: plan.explanation, hot: plan.hotKeys.slice(0, 3), countedRowsPerSec,
      samplesPerSec: second.progress?.samplesPerSec })}\n`);

    expect(plan.dryRun).toBe(true);
    expect(plan.shards.map((s) => s.shardId)).toEqual(SHARDS);
    for (const s of plan.shards) {
      expect(s.rowsPerSec, s.shardId).toBeGreaterThan(0);
      expect(s.partitions).toBe(64);
      expect(s.reportAgeMs).toBeGreaterThanOrEqual(0);
      expect(s.reportAgeMs).toBeLessThan(5000);
    }
    expect(plan.unreported).toEqual([]);

    // The decayed rates, as reported at the end of the counted seconds, agree with the shards'
    // own counters over those seconds (the rates average over ~14 s and the throughput of a
    // shared machine drifts, so within a factor of two, not exactly).
    const reportedThen = second.shardLoad!.reduce((a, l) => a + l.pullRowsPerSec + l.pushRowsPerSec, 0);
    process.stderr.write(`rates at the second status: ${reportedThen.toFixed(0)} rows/s; counted: ${countedRowsPerSec.toFixed(0)} rows/s\n`);
    expect(reportedThen).toBeGreaterThan(countedRowsPerSec * 0.5);
    expect(reportedThen).toBeLessThan(countedRowsPerSec * 2);
    const reported = plan.shards.reduce((a, s) => a + s.rowsPerSec, 0);
    // And with the training throughput: a sample touches at most 26 embedding rows (fewer after
    // de-duplication within a batch) plus its share of the dense rows, each pulled and pushed once.
    const samplesPerSec = second.progress!.samplesPerSec;
    expect(samplesPerSec).toBeGreaterThan(0);
    expect(reported).toBeLessThan(2 * 28 * samplesPerSec * 2);

    // The plan: never worse, within the cap, and strictly better when above target with no dominating partition.
    expect(plan.moves.length).toBeLessThanOrEqual(plan.maxMoves);
    expect(plan.ratioAfter).toBeLessThanOrEqual(plan.ratioBefore);
    const max = Math.max(...plan.shards.map((s) => s.rowsPerSec));
    expect(plan.ratioBefore).toBeCloseTo(max / (reported / 4), 6);
    if (plan.ratioBefore > plan.targetRatio && plan.verdict !== "dominated") expect(plan.ratioAfter).toBeLessThan(plan.ratioBefore);
    for (const m of plan.moves) {
      expect(SHARDS).toContain(m.from);
      expect(SHARDS).toContain(m.to);
    }
    expect(plan.hotKeys.length).toBeGreaterThan(0);

    // A tighter target than the default exercises the moves on whatever imbalance static hashing left.
    const tight = await runColony(["rebalance", "--dry-run", "--json", "--cluster", CLUSTER, "--target", "1.01", "--max-moves", "4"]);
    expect(tight.code, tight.stderr).toBe(0);
    const tp = tight.result as unknown as RebalancePlanReply;
    process.stderr.write(`rebalance dry run, target 1.01: ${JSON.stringify({ ratioBefore: tp.ratioBefore, ratioAfter: tp.ratioAfter, moves: tp.moves, verdict: tp.verdict })}\n`);
    expect(tp.moves.length).toBeLessThanOrEqual(4);
    expect(tp.ratioAfter).toBeLessThanOrEqual(tp.ratioBefore);
    if (tp.ratioBefore > 1.01 && tp.verdict !== "dominated") {
      expect(tp.moves.length).toBeGreaterThan(0);
      expect(tp.ratioAfter).toBeLessThan(tp.ratioBefore);
    }

    // colony status shows the same load and the hot keys.
    const status = second.shardLoad!;
    expect(status.map((l) => l.shardId)).toEqual(SHARDS);
    expect(status.every((l) => l.hotKeys.length > 0)).toBe(true);

    // A malformed load report (columns of different lengths) is counted and rejected; the plan still comes.
    const coordinatorRejected = (x: StatusReply): number => x.members.find((m) => m.id === "coordinator")?.counters["rejected.wrong_shape"] ?? 0;
    const nc = await connect({ servers: second.natsUrl });
    const bad = { v: 1, type: "ps.load", shardId: "shard-0", epoch: 1, at: Date.now(), halfLifeMs: 10_000,
      load: { partitions: [0, 4], pullRows: [1e9], pullBytes: [0, 0], pushRows: [0, 0], pushBytes: [0, 0] }, hotKeys: [] } as unknown as LoadReport;
    nc.publish(subjects.load(CLUSTER), encodeMessage(bad));
    await nc.flush();
    await nc.close();
    await untilStatus(CLUSTER, "the coordinator counting the bad report", (x) => coordinatorRejected(x) >= 1, 10_000);
    expect((await runColony(["rebalance", "--dry-run", "--json", "--cluster", CLUSTER])).code).toBe(0);

    // A bad limit is refused before anything is asked.
    const badTarget = await runColony(["rebalance", "--cluster", CLUSTER, "--target", "0.5"]);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toMatch(/--target must be/);
  }, 90_000);
});
