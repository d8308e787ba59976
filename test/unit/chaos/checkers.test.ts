import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ActorConfig } from "../../../actors/index.js";
import { checkLiveness, percentile, recoveryByKind } from "../../../chaos/checkers/liveness.js";
import { checkQuality } from "../../../chaos/checkers/quality.js";
import { checkRowsTrained } from "../../../chaos/checkers/rows-trained.js";
import type { InjectedFault } from "../../../chaos/index.js";
import type { BatchOrigin } from "../../../protocols/index.js";

/** A 10-row CSV (one malformed row: 9 trainable), cut into tasks of 4 rows. */
function job(mode: "async" | "sync"): ActorConfig {
  const dir = mkdtempSync(join(tmpdir(), "rows-trained-"));
  const path = join(dir, "train.csv");
  const rows = ["a,y", ...Array.from({ length: 10 }, (_, i) => (i === 5 ? "x" : `v${i},${i % 2}`))];
  writeFileSync(path, `${rows.join("\n")}\n`);
  return {
    job: {
      mode, epochs: 2, batch: 8, microBatches: 2,
      data: { path, format: "csv", label: { column: "y", positive: "1" }, categorical: ["a"], numeric: [], delimiter: ",", rowsPerTask: 4 },
    },
  } as unknown as ActorConfig;
}

/** Batches of 2 well-formed rows covering every task of every pass: tasks 0 (4 rows), 1 (3), 2 (2). */
function everyRow(): BatchOrigin[] {
  const out: BatchOrigin[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const [task, start, rows] of [[0, 0, 4], [1, 4, 3], [2, 8, 2]] as const) {
      for (let r = 0; r < rows; r += 2) out.push({ epoch, task, row: start + r, rows: Math.min(2, rows - r) });
    }
  }
  return out;
}

describe("the rows-trained checker", () => {
  it("passes when every well-formed row of every pass reached the parameters", async () => {
    const v = await checkRowsTrained(job("async"), everyRow(), 0);
    expect(v.ok).toBe(true);
    expect(v.evidence).toMatchObject({ rowsExpected: 18, rowsTrained: 18, rowsMissing: 0, rowsRepeated: 0 });
  });

  it("fails on a missing batch, and names the pass and task", async () => {
    const batches = everyRow().filter((b) => !(b.epoch === 1 && b.task === 1 && b.row === 4));
    const v = await checkRowsTrained(job("async"), batches, 0);
    expect(v.ok).toBe(false);
    expect(v.evidence).toMatchObject({ rowsMissing: 2 });
    expect(String((v.evidence["examples"] as string[])[0])).toMatch(/pass 1, task 1: 2 of 3 rows/);
  });

  it("allows a batch trained twice in async mode (counted), not in sync mode", async () => {
    const twice = [...everyRow(), { epoch: 0, task: 0, row: 0, rows: 2 }];
    const a = await checkRowsTrained(job("async"), twice, 0);
    expect(a.ok).toBe(true);
    expect(a.evidence["rowsRepeated"]).toBe(2);
    // sync cuts tasks of batch / microBatches = 4 rows too, so the same origins apply.
    const s = await checkRowsTrained(job("sync"), twice, 0);
    expect(s.ok).toBe(false);
    expect(s.summary).toMatch(/applied twice/);
  });

  it("fails when entries carry no origin, or name a task the data does not have", async () => {
    expect((await checkRowsTrained(job("async"), everyRow(), 3)).ok).toBe(false);
    expect((await checkRowsTrained(job("async"), [...everyRow(), { epoch: 0, task: 9, row: 40, rows: 1 }], 0)).ok).toBe(false);
  });
});

const f = (index: number, kind: InjectedFault["kind"], actorKind: string, atMs: number): InjectedFault =>
  ({ index, kind, actor: `${actorKind}-0`, actorKind, pid: 1, atMs, endedAtMs: atMs });

describe("the liveness checker", () => {
  it("passes when every fault recovered within the bound and the job finished", () => {
    const v = checkLiveness({ jobOk: true, jobEndedAtMs: 60_000, faults: [f(0, "kill", "worker", 0), f(1, "kill", "shard", 10_000)], recoveries: [{ index: 0, recoveryMs: 800 }, { index: 1, recoveryMs: 2500 }], boundMs: 5000 });
    expect(v.ok).toBe(true);
    expect(v.evidence["byKind"]).toMatchObject({ "kill worker": { n: 1, p50: 800 }, "kill shard": { n: 1, p50: 2500 } });
  });

  it("fails on a slow recovery, on one never seen, and when the job failed", () => {
    expect(checkLiveness({ jobOk: true, jobEndedAtMs: 60_000, faults: [f(0, "kill", "worker", 0)], recoveries: [{ index: 0, recoveryMs: 9000 }], boundMs: 5000 }).ok).toBe(false);
    expect(checkLiveness({ jobOk: true, jobEndedAtMs: 60_000, faults: [f(0, "kill", "worker", 0)], recoveries: [{ index: 0 }], boundMs: 5000 }).ok).toBe(false);
    const failed = checkLiveness({ jobOk: false, jobError: "supervision gave up", jobEndedAtMs: 1000, faults: [], recoveries: [], boundMs: 5000 });
    expect(failed.ok).toBe(false);
    expect(failed.summary).toMatch(/supervision gave up/);
  });

  it("excuses a fault the job's end cut short, but only within the bound", () => {
    expect(checkLiveness({ jobOk: true, jobEndedAtMs: 3000, faults: [f(0, "kill", "shard", 1000)], recoveries: [{ index: 0 }], boundMs: 5000 }).ok).toBe(true);
  });

  it("computes nearest-rank percentiles and groups NATS faults by kind alone", () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([], 50)).toBeUndefined();
    const nats: InjectedFault = { index: 2, kind: "nats-restart", actor: "nats-server", actorKind: "nats", atMs: 0, endedAtMs: 0 };
    expect(Object.keys(recoveryByKind([nats, f(3, "stop", "coordinator", 0)], []))).toEqual(["nats-restart", "stop coordinator"]);
  });
});

describe("the quality checker", () => {
  it("passes within the tolerance either way and fails outside it or without an AUC", () => {
    expect(checkQuality(0.915, 0.918, 0.005).ok).toBe(true);
    expect(checkQuality(0.921, 0.918, 0.005).ok).toBe(true);
    expect(checkQuality(0.91, 0.918, 0.005).ok).toBe(false);
    expect(checkQuality(undefined, 0.918, 0.005).ok).toBe(false);
  });
});
