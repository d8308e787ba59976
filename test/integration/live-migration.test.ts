/**
 * Live partition migration (issue 6) on a real cluster: partitions move between shards
 * while workers train (operator rounds, `colony rebalance`), a shard that handed
 * partitions over is killed and comes back, and at the end every update-log entry was
 * applied exactly once: a replay of the whole log into fresh rows matches the final
 * checkpoint bit for bit, whichever shard held a partition at each point.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditUpdateLog } from "../../chaos/checkers/update-log-audit.js";
import type { RebalancePlanReply, StatusReply } from "../../protocols/index.js";
import { runColony, startColony } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";
import { startTestNats, type TestNats } from "../helpers/nats-harness.js";

const CLUSTER = "migrate";
const ROWS = 60_000;

const shardSum = (s: StatusReply, name: string): number =>
  s.members.filter((m) => m.kind === "shard").reduce((a, m) => a + (m.counters[name] ?? 0), 0);

describe("live partition migration", () => {
  let nats: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  it("moves partitions while training, through a kill of the shard that gave them, and applies every entry exactly once", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "colony-migrate-"));
    const job = startColony(["up", "examples/ctr.yaml", "--run-dir", runDir, "--json",
      "--set", `cluster=${CLUSTER}`, "--set", `nats.url=${nats.url}`, "--set", `job.data.path=${ctrFile(ROWS, 1, { zipf: 1.3 })}`,
      "--set", `job.data.eval=${ctrFile(2000, 2, { zipf: 1.3 })}`, "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096",
      // Long enough to outlast the steps below on a fast machine; it must end by itself:
      // the audit needs every appended entry in the final checkpoint.
      "--set", "job.epochs=6", "--set", "shards.count=3", "--set", "shards.snapshotMs=500", "--set", "shards.loadReportMs=250",
      "--set", "shards.loadHalfLifeMs=1000", "--set", "rebalance.auto=false", "--set", "supervision.heartbeatTimeoutMs=20000"]);

    const reporting = (x: StatusReply): boolean => isTraining(x) && (x.shardLoad ?? []).filter((l) => l.pullRowsPerSec > 0).length === 3;
    const before = await untilStatus(CLUSTER, "three shards reporting load", reporting, 60_000);

    // An operator round with a target no placement quite meets: it moves what lowers max/mean.
    const first = await runColony(["rebalance", "--json", "--cluster", CLUSTER, "--target", "1", "--max-moves", "6"]);
    expect(first.code, first.stderr).toBe(0);
    const plan = first.result as unknown as RebalancePlanReply & { dryRun: boolean };
    expect(plan.dryRun).toBe(false);
    expect(plan.executed, plan.notExecuted).toBe(true);
    expect(plan.moves.length).toBeGreaterThan(0);
    expect(plan.epoch).toBeGreaterThan(before.mapEpoch);

    // Every move is a handoff: one shard sends, another receives, both at the same log entry.
    let s = await untilStatus(CLUSTER, "the moved partitions handed over",
      (x) => shardSum(x, "handoffs.received") >= plan.moves.length && shardSum(x, "handoffs.sent") >= plan.moves.length, 30_000);
    for (const m of plan.moves) expect(s.partitions[m.to]).toBeGreaterThan(0);
    expect(s.progress?.rebalance?.moves).toBe(plan.moves.length);
    expect(s.progress?.rebalance?.last?.moved).toEqual(plan.moves.map((m) => `${m.partition}:${m.from}→${m.to}`));
    const status = await runColony(["status", "--cluster", CLUSTER]);
    expect(status.stdout).toMatch(/rebalancer: \d+ round\(s\), \d+ partition move\(s\)/);

    // The shard that gave partitions away is killed; it comes back from its snapshot and the log.
    const giver = memberOf(s, plan.moves[0]!.from);
    process.kill(giver.pid, "SIGKILL");
    s = await untilStatus(CLUSTER, `${giver.id} serving again`, (x) => memberOf(x, giver.id).pid !== giver.pid && memberOf(x, giver.id).state === "serving", 60_000);

    // A second round moves more (or says why not), while training goes on.
    const second = await runColony(["rebalance", "--json", "--cluster", CLUSTER, "--target", "1", "--max-moves", "6"]);
    expect(second.code, second.stderr).toBe(0);

    const run = await job.done;
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.result!["rows"]).toBe(6 * ROWS);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.55);

    const audit = await auditUpdateLog({ nc, runDir, checkpointDir: String(run.result!["checkpoint"]) });
    expect(audit.malformed).toBe(0);
    expect(audit.applied).toBeGreaterThan(100);
    expect(audit.applied + audit.duplicates).toBe(audit.entries);
    expect({ mismatched: audit.mismatched, untouchedChanged: audit.untouchedChanged, examples: audit.examples })
      .toEqual({ mismatched: 0, untouchedChanged: 0, examples: [] });
  }, 300_000);

  it("scales shards 2 → 4 → 3 while training: new shards take partitions, the leaving one hands its own over, every entry applied once", async () => {
    const cluster = "reshard";
    const runDir = mkdtempSync(join(tmpdir(), "colony-reshard-"));
    const job = startColony(["up", "examples/ctr.yaml", "--run-dir", runDir, "--json",
      "--set", `cluster=${cluster}`, "--set", `nats.url=${nats.url}`, "--set", `job.data.path=${ctrFile(ROWS, 1, { zipf: 1.3 })}`,
      "--set", `job.data.eval=${ctrFile(2000, 2, { zipf: 1.3 })}`, "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096",
      "--set", "job.epochs=10", "--set", "shards.count=2", "--set", "shards.snapshotMs=500", "--set", "rebalance.auto=false",
      "--set", "supervision.heartbeatTimeoutMs=20000"]);
    await untilStatus(cluster, "training", isTraining, 60_000);

    const up = await runColony(["scale", "shards=4", "--json", "--cluster", cluster]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.result).toMatchObject({ accepted: true, shards: 4 });
    // The new shards start, catch up with the log, and get partitions.
    let s = await untilStatus(cluster, "four shards each owning partitions",
      (x) => ["shard-0", "shard-1", "shard-2", "shard-3"].every((id) => (x.partitions[id] ?? 0) > 0), 90_000);
    expect(Object.values(s.partitions).reduce((a, n) => a + n, 0)).toBe(256);

    const down = await runColony(["scale", "shards=3", "--json", "--cluster", cluster]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.result).toMatchObject({ accepted: true, shards: 3 });
    expect(down.result!["drained"] as number).toBeGreaterThan(0);
    s = await untilStatus(cluster, "shard-3 gone, its partitions on the others",
      (x) => (x.partitions["shard-3"] ?? 0) === 0 && !x.members.some((m) => m.id === "shard-3" && m.silentMs >= 0 && m.silentMs < 2000), 60_000);
    expect(Object.values(s.partitions).reduce((a, n) => a + n, 0)).toBe(256);

    // A malformed count is refused before anything is asked.
    const bad = await runColony(["scale", "shards=0", "--cluster", cluster]);
    expect(bad.code).toBe(2);

    const run = await job.done;
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.result!["rows"]).toBe(10 * ROWS);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.55);
    const audit = await auditUpdateLog({ nc, runDir, checkpointDir: String(run.result!["checkpoint"]) });
    expect(audit.malformed).toBe(0);
    expect(audit.applied + audit.duplicates).toBe(audit.entries);
    expect({ mismatched: audit.mismatched, untouchedChanged: audit.untouchedChanged, examples: audit.examples })
      .toEqual({ mismatched: 0, untouchedChanged: 0, examples: [] });
  }, 400_000);
});
