import { describe, expect, it } from "vitest";
import { DENSE_TABLE, createModel, denseSegmentsOf, type ModelOptions } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { denseIndex, expectGradientsMatch, plannedRows, sparseIndices } from "../helpers/gradient-check.js";
import { KERNEL_CHOICES } from "../helpers/kernel-choices.js";
import { referenceLoss } from "../helpers/reference-models.js";
import { seededRandom } from "../helpers/seeded-random.js";

describe.each(KERNEL_CHOICES)("dlrm-small model on $kernels kernels", ({ kernels, skip }) => {
  if (skip) it.skip(`(${kernels} kernels: the native addon is not built here; run npm run setup)`, () => {});
  const small: ModelOptions = { kind: "dlrm-small", seed: 7, fields: 3, denseDim: 4, denseBlock: 1000, kernels };

  it.skipIf(skip)("has the benchmark's layers for D = 13, F = 26: 13→64→16, 432→128→64→1", () => {
    const segments = denseSegmentsOf({ kind: "dlrm-small", seed: 1, fields: 26, denseDim: 13, kernels });
    expect(segments.map((s) => [s.name, ...s.shape])).toEqual([
      ["bottom.0.weight", 64, 13], ["bottom.0.bias", 64],
      ["bottom.1.weight", 16, 64], ["bottom.1.bias", 16],
      ["top.0.weight", 128, 432], ["top.0.bias", 128],
      ["top.1.weight", 64, 128], ["top.1.bias", 64],
      ["top.2.weight", 1, 64], ["top.2.bias", 1],
    ]);
    const model = createModel({ kind: "dlrm-small", seed: 1, fields: 26, denseDim: 13, kernels });
    expect(model.dim(0)).toBe(16);
    expect(model.dim(25)).toBe(16);
    // 65,681 dense parameters in blocks of 1024.
    expect(model.dim(DENSE_TABLE)).toBe(1024);
    expect(model.plan(randomBatch(seededRandom(1), 2, 26, 13, 5)).denseSlots.length).toBe(65);
  });

  it.skipIf(skip)("initialises embeddings uniform in (−0.01, 0.01) and each layer within ±1/√fan_in", () => {
    const model = createModel(small);
    const emb = new Float32Array(16 * 100);
    for (let id = 0; id < 100; id++) model.initRow(1, id, emb, id * 16);
    expect(Math.max(...emb.map(Math.abs))).toBeLessThan(0.01);
    expect(Math.max(...emb.map(Math.abs))).toBeGreaterThan(0.009);
    const flat = new Float32Array(19 * 1000);
    for (let j = 0; j < 19; j++) model.initRow(DENSE_TABLE, j, flat, j * 1000);
    // Input width of each layer (D = 4, F = 3, k = 16), for its weight and its bias.
    const fanIn: Record<string, number> = { "bottom.0": 4, "bottom.1": 64, "top.0": 64, "top.1": 128, "top.2": 64 };
    for (const s of denseSegmentsOf(small)) {
      const values = flat.subarray(s.offset, s.offset + s.size);
      const bound = 1 / Math.sqrt(fanIn[s.name.replace(/\.(weight|bias)$/, "")]!);
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (s.size > 50) expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    }
    expect([...flat.subarray(18001)].every((v) => v === 0)).toBe(true);
  });

  it.skipIf(skip)("computes the logit of the bottom MLP, concatenation and top MLP", () => {
    const model = createModel(small);
    const batch = randomBatch(seededRandom(2), 6, 3, 4, 3);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(3), 0.5, false);
    const { logits } = referenceLoss(small, batch, plan, Float64Array.from(rows));
    const probs = model.predict(batch, plan, rows);
    logits.forEach((z, b) => expect(probs[b]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6));
  });

  it.skipIf(skip)("returns d(mean loss)/d(row) for embeddings shared by several examples and for every layer", () => {
    const model = createModel(small);
    const batch = randomBatch(seededRandom(4), 8, 3, 4, 3);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(5), 0.5, false);
    const pick = seededRandom(6);
    const dense: number[] = [];
    for (const s of denseSegmentsOf(small)) {
      for (let i = 0; i < Math.min(s.size, 24); i++) dense.push(denseIndex(model, plan, s.offset + Math.floor(pick() * s.size)));
    }
    expectGradientsMatch(small, model, batch, plan, rows, [...sparseIndices(model, plan), ...dense]);
  });

  it.skipIf(skip)("follows a non-default embedding width through the bottom MLP and the concatenation", () => {
    const opts: ModelOptions = { ...small, embeddingDim: 5 };
    const model = createModel(opts);
    expect(model.dim(0)).toBe(5);
    const batch = randomBatch(seededRandom(7), 5, 3, 4, 2);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(8), 0.5, false);
    expectGradientsMatch(opts, model, batch, plan, rows, sparseIndices(model, plan));
  });

  it.skipIf(skip)("gives the same step on a batch however often it is repeated (scratch is reset)", () => {
    const model = createModel(small);
    const big = randomBatch(seededRandom(9), 12, 3, 4, 5);
    const batch = randomBatch(seededRandom(10), 4, 3, 4, 5);
    const plan = model.plan(batch);
    const rows = plannedRows(model, plan, seededRandom(11), 0.5, false);
    const first = model.step(batch, plan, rows);
    const bigPlan = model.plan(big);
    model.step(big, bigPlan, plannedRows(model, bigPlan, seededRandom(12), 0.5, false));
    const again = model.step(batch, plan, rows);
    expect(again.loss).toBe(first.loss);
    expect(again.grads).toEqual(first.grads);
  });
});
