import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actorPids, alive, runColony } from "../helpers/colony-cli.js";

const runDir = (): string => mkdtempSync(join(tmpdir(), "colony-up-"));

const portIsFree = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = createServer();
  s.once("error", () => resolve(false));
  s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
});

describe("colony up on the census data (2 shards, 2 workers, embedded nats-server)", () => {
  it("trains lr to held-out AUC ≥ 0.89, writes a checkpoint that colony eval scores the same, and leaves no process or port behind", async () => {
    const dir = runDir();
    const run = await runColony(["up", "examples/adult.yaml", "--run-dir", dir, "--json"]);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const r = run.result!;
    expect(r["ok"]).toBe(true);
    expect(r["rows"]).toBe(3 * 26_218);
    expect(r["rowsRepeated"]).toBe(0);
    expect(r["auc"] as number).toBeGreaterThanOrEqual(0.89);
    expect(r["checkpoint"]).toBe(join(dir, "final"));

    const manifest = JSON.parse(readFileSync(join(dir, "final", "manifest.json"), "utf8")) as { model: { kind: string }; tables: { parts: unknown[] }[] };
    expect(manifest.model.kind).toBe("lr");
    expect(manifest.tables.every((t) => t.parts.length === 2)).toBe(true);
    expect(readdirSync(join(dir, "logs")).sort()).toEqual(
      ["coordinator.log", "nats-server.log", "shard-0.log", "shard-1.log", "worker-0.log", "worker-1.log"]);

    const evaluated = await runColony(["eval", "--checkpoint", join(dir, "final"), "--data", "examples/data/adult-test.csv"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.result).toEqual({ rows: 6343, auc: r["auc"], logloss: r["logloss"] });

    const pids = actorPids(run.stderr);
    expect(pids).toHaveLength(5);
    expect(pids.filter(alive)).toEqual([]);
    const url = /"url":"nats:\/\/127\.0\.0\.1:(\d+)"/.exec(run.stderr);
    expect(url).not.toBeNull();
    expect(await portIsFree(Number(url![1]))).toBe(true);
  });

  it("trains a factorization machine to held-out AUC ≥ 0.89 as well", async () => {
    const run = await runColony(["up", "examples/adult-fm.yaml", "--run-dir", runDir(), "--json"]);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.result!["auc"] as number).toBeGreaterThanOrEqual(0.89);
  });

  it("refuses a bad --set override before starting anything, naming the field, the value and what is allowed", async () => {
    const run = await runColony(["up", "examples/adult.yaml", "--run-dir", runDir(), "--set", "job.optimizer.kind=adamw"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("job.optimizer.kind");
    expect(run.stderr).toContain("adamw");
    expect(run.stderr).toMatch(/sgd \| adagrad \| adam/);
  });

  it("scores nothing from a directory that is not a checkpoint, and says why", async () => {
    const run = await runColony(["eval", "--checkpoint", runDir(), "--data", "examples/data/adult-test.csv"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/manifest\.json/);
  });
});
