/**
 * The update log as the truth (DESIGN idea 1, issue 5): shards killed with SIGKILL at
 * arbitrary points (mid-push, mid-snapshot, mid-replay) come back from their latest
 * snapshot plus a replay of the log, and at the end every entry of the log has been
 * applied exactly once: a replay of the whole log into fresh rows matches the final
 * checkpoint bit for bit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditUpdateLog } from "../../chaos/checkers/update-log-audit.js";
import { readManifest } from "../../train/index.js";
import { alive, startColony } from "../helpers/colony-cli.js";
import { isTraining, memberOf, untilStatus } from "../helpers/cluster-status.js";
import { ctrFile } from "../helpers/ctr-data.js";
import { startTestNats, type TestNats } from "../helpers/nats-harness.js";

const CLUSTER = "ledger";

describe("the update log under shard kills", () => {
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

  it("applies every pushed entry exactly once on every shard, through kills mid-training and mid-replay", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "colony-ledger-"));
    const job = startColony(["up", "examples/ctr.yaml", "--run-dir", runDir, "--json",
      "--set", `cluster=${CLUSTER}`, "--set", `nats.url=${nats.url}`, "--set", `job.data.path=${ctrFile(120_000, 1)}`,
      "--set", `job.data.eval=${ctrFile(10_000, 2)}`, "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096",
      "--set", "shards.snapshotMs=500", "--set", "shards.purgeLog=false"]);

    // shard-1: killed once past a snapshot, then again as soon as its replacement runs (mid-restore or mid-replay).
    let s = await untilStatus(CLUSTER, "training past a snapshot", (x) => isTraining(x) && (memberOf(x, "shard-1").counters["snapshots.written"] ?? 0) >= 1);
    const first = memberOf(s, "shard-1").pid;
    process.kill(first, "SIGKILL");
    s = await untilStatus(CLUSTER, "a new shard-1", (x) => memberOf(x, "shard-1").pid !== first && alive(memberOf(x, "shard-1").pid), 30_000);
    const second = memberOf(s, "shard-1").pid;
    process.kill(second, "SIGKILL");
    s = await untilStatus(CLUSTER, "shard-1 serving again", (x) => ![first, second].includes(memberOf(x, "shard-1").pid) && memberOf(x, "shard-1").state === "serving");
    expect(memberOf(s, "shard-1").counters["snapshots.restored"]).toBe(1);

    // shard-0: killed once while the job trains on.
    s = await untilStatus(CLUSTER, "shard-0 past a snapshot", (x) => (memberOf(x, "shard-0").counters["snapshots.written"] ?? 0) >= 1);
    const third = memberOf(s, "shard-0").pid;
    process.kill(third, "SIGKILL");
    s = await untilStatus(CLUSTER, "shard-0 serving again", (x) => memberOf(x, "shard-0").pid !== third && memberOf(x, "shard-0").state === "serving");
    // It came back from a snapshot and read the log on from its cut (how many entries it
    // replays depends on what the workers appended since that snapshot: maybe none).
    expect(memberOf(s, "shard-0").counters["snapshots.restored"]).toBe(1);

    const run = await job.done;
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.result!["rows"]).toBe(120_000);
    expect(run.result!["auc"] as number).toBeGreaterThan(0.6);

    const checkpoint = String(run.result!["checkpoint"]);
    const audit = await auditUpdateLog({ nc, runDir, checkpointDir: checkpoint });
    expect(audit.malformed).toBe(0);
    expect(audit.applied).toBeGreaterThan(1000);
    expect(audit.applied + audit.duplicates).toBe(audit.entries);
    expect(audit.rows).toBeGreaterThan(10_000);
    expect({ mismatched: audit.mismatched, untouchedChanged: audit.untouchedChanged, examples: audit.examples })
      .toEqual({ mismatched: 0, untouchedChanged: 0, examples: [] });

    // The audit has teeth: one flipped bit in one stored row is found.
    const manifest = await readManifest(checkpoint);
    const part = manifest.tables.find((t) => t.parts.some((p) => p.rows > 0))!.parts.find((p) => p.rows > 0)!;
    const file = join(checkpoint, part.params);
    const bytes = readFileSync(file);
    bytes[0]! ^= 1;
    writeFileSync(file, bytes);
    const tampered = await auditUpdateLog({ nc, runDir, checkpointDir: checkpoint });
    expect(tampered.mismatched + tampered.untouchedChanged).toBe(1);
  });
});
