import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createModel, createOptimizer, criteoSpec, cutTasks, readTaskBatches } from "../../../../train/index.js";
import { MemoryStore, evaluate, trainPass } from "../helpers/memory-store.js";
import { tempDir } from "../helpers/temp-files.js";

const GENERATOR = "/work/shared/bench/gen-ctr.mjs";

describe("training dlrm-small on synthetic click logs, in process", () => {
  it("learns the planted model in one epoch of 40k rows with the benchmark's Adagrad (holdout AUC > 0.68)", async () => {
    const path = join(tempDir(), "train.tsv");
    execFileSync(process.execPath, [GENERATOR, "--rows", "50000", "--seed", "1", "--out", path]);
    const spec = criteoSpec();
    const tasks = await cutTasks(path, spec, 10_000);
    const model = createModel({ kind: "dlrm-small", seed: 1, fields: 26, denseDim: 13 });
    const store = new MemoryStore(model, createOptimizer({ kind: "adagrad", lr: 0.05 }));
    const losses: number[] = [];
    for (const task of tasks.slice(0, 4)) losses.push(...(await trainPass(store, readTaskBatches(task, spec, 512))));
    const report = await evaluate(store, readTaskBatches(tasks[4]!, spec, 2048));
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    // Measured: 0.708 (the planted model's own AUC is about 0.77; lr on the same rows gets 0.72).
    expect(report.auc).toBeGreaterThan(0.68);
  }, 120_000);
});
