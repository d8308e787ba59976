import { describe, expect, it } from "vitest";
import { createModel, createOptimizer, criteoSpec, readFileBatches, trainInProcess } from "../../../../train/index.js";
import { ctrFile } from "../../../helpers/ctr-data.js";
import { NATIVE_SKIP_NOTE, nativeBuilt } from "../../gpu/helpers/tensors.js";
import { MemoryStore, evaluate, trainPass } from "../helpers/memory-store.js";

const OPTIMIZER = { kind: "adagrad", lr: 0.05, eps: 1e-10, initialAccumulator: 0 } as const;

describe.skipIf(!nativeBuilt)(`trainInProcess (dlrm-small, native kernels)${NATIVE_SKIP_NOTE}`, () => {
  const train = ctrFile(20_000, 1);
  const test = ctrFile(10_000, 2);
  const run = () => trainInProcess({
    model: "dlrm-small", seed: 1, spec: criteoSpec(), trainPath: train, testPath: test, batch: 2048, optimizer: OPTIMIZER, backend: "cpu",
  });

  it("trains the same model as the row-by-row TypeScript optimizer over a memory store: same losses and test AUC to fp32 rounding", async () => {
    const fused = await run();
    const model = createModel({ kind: "dlrm-small", seed: 1, fields: 26, denseDim: 13 });
    const store = new MemoryStore(model, createOptimizer(OPTIMIZER));
    const losses = await trainPass(store, readFileBatches(train, criteoSpec(), 2048));
    const report = await evaluate(store, readFileBatches(test, criteoSpec(), 8192));
    expect(fused.batches).toBe(losses.length);
    expect(fused.firstLoss).toBeCloseTo(losses[0]!, 4);
    expect(fused.lastLoss).toBeCloseTo(losses.at(-1)!, 3);
    expect(Math.abs(fused.testAuc - report.auc)).toBeLessThan(1e-3);
    expect(fused.testAuc).toBeGreaterThan(0.6);
  });

  it("is deterministic: two runs give bitwise the same losses and AUC", async () => {
    const [a, b] = [await run(), await run()];
    expect([b.firstLoss, b.lastLoss, b.meanLoss, b.testAuc, b.testLogLoss]).toEqual([a.firstLoss, a.lastLoss, a.meanLoss, a.testAuc, a.testLogLoss]);
    expect(a.trainRows).toBe(20_000);
    expect(a.testRows).toBe(10_000);
  });
});
