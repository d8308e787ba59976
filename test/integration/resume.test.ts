/**
 * `colony up --resume CHECKPOINT` (issue 5, job checkpoints): a job continues from the
 * rows and task progress of a checkpoint. Resuming a finished job trains nothing and
 * writes back the very same parameters, bit for bit, even on a different shard count
 * (each shard loads the rows of the partitions it owns in the new map); a job stopped
 * with `colony down` continues where it stopped and trains what was left.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runColony, startColony } from "../helpers/colony-cli.js";

const ROWS_PER_EPOCH = 26_218;

const digestOf = async (checkpoint: string): Promise<{ params: string; state: string }> => {
  const r = await runColony(["inspect", "--checkpoint", checkpoint, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (r.result as { digest: { params: string; state: string } }).digest;
};

const up = (cluster: string, runDir: string, extra: string[]) => startColony(["up", "examples/adult.yaml", "--run-dir", runDir, "--json",
  "--set", `cluster=${cluster}`, "--set", "partitions=16", ...extra]);

describe("colony up --resume", () => {
  beforeAll(() => {
    process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
  });

  it("resuming a finished job trains nothing and writes back the same parameters, on another shard count", async () => {
    const a = mkdtempSync(join(tmpdir(), "colony-resume-a-"));
    const first = await up("resume-a", a, ["--set", "job.epochs=2"]).done;
    expect(first.result, first.stderr.slice(-2000)).toMatchObject({ ok: true, rows: 2 * ROWS_PER_EPOCH });
    const b = mkdtempSync(join(tmpdir(), "colony-resume-b-"));
    const again = await up("resume-b", b, ["--set", "job.epochs=2", "--set", "shards.count=3", "--resume", join(a, "final")]).done;
    expect(again.result, again.stderr.slice(-2000)).toMatchObject({ ok: true, rows: 2 * ROWS_PER_EPOCH });
    expect(await digestOf(join(b, "final"))).toEqual(await digestOf(join(a, "final")));
    expect(again.result!["auc"]).toBe(first.result!["auc"]);
  }, 180_000);

  it("continues a job stopped with colony down, in the same run dir, and trains the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "colony-resume-down-"));
    const job = up("resume-down", dir, ["--set", "job.epochs=20"]);
    await job.waitForOutput(/"rowsDone":[1-9]\d{4,}.*"msg":"progress"/, 90_000);
    const down = await runColony(["down", "--cluster", "resume-down", "--json"]);
    expect(down.code, down.stderr).toBe(0);
    const stopped = await job.done;
    const trained = stopped.result!["rows"] as number;
    expect(trained).toBeGreaterThan(0);
    expect(trained).toBeLessThan(20 * ROWS_PER_EPOCH);

    const resumed = await up("resume-down", dir, ["--set", "job.epochs=20", "--resume", join(dir, "final")]).done;
    expect(resumed.result, resumed.stderr.slice(-2000)).toMatchObject({ ok: true, rows: 20 * ROWS_PER_EPOCH });
    expect(resumed.result!["auc"] as number).toBeGreaterThan(0.9);
    const logs = ["shard-0", "shard-1", "coordinator"].map((a) => readFileSync(join(dir, "logs", `${a}.log`), "utf8")).join("\n");
    expect(logs).toMatch(/rows loaded from the checkpoint to resume from/);
    const ready = logs.split("\n").filter((l) => l.includes('"msg":"tasks ready"')).map((l) => JSON.parse(l) as { resumed: boolean; rowsDone: number }).at(-1);
    expect(ready).toMatchObject({ resumed: true, rowsDone: trained });
  }, 240_000);

  it("refuses a checkpoint of another model, and sync jobs, before starting anything", async () => {
    const a = mkdtempSync(join(tmpdir(), "colony-resume-c-"));
    const first = await up("resume-c", a, ["--set", "job.epochs=1"]).done;
    expect(first.result).toMatchObject({ ok: true });
    const fm = await runColony(["up", "examples/adult-fm.yaml", "--run-dir", mkdtempSync(join(tmpdir(), "colony-resume-d-")), "--resume", join(a, "final")]);
    expect(fm.code).toBe(2);
    expect(fm.stderr).toMatch(/different kind/);
    const sync = await runColony(["up", "examples/adult.yaml", "--set", "job.mode=sync", "--run-dir", mkdtempSync(join(tmpdir(), "colony-resume-e-")), "--resume", join(a, "final")]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/sync jobs cannot be resumed/);
  }, 120_000);
});
