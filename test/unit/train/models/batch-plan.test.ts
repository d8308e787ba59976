import { describe, expect, it } from "vitest";
import { DENSE_TABLE, createModel, type ExampleBatch } from "../../../../train/index.js";
import { randomBatch } from "../helpers/batches.js";
import { seededRandom } from "../helpers/seeded-random.js";

/** Two fields, three examples; id 7 appears in both fields and twice in field 0. */
const batch: ExampleBatch = {
  rows: 3,
  fields: 2,
  denseDim: 1,
  ids: Uint32Array.from([7, 7, 7, 9, 5, 9]),
  dense: Float32Array.from([1, 2, 3]),
  labels: Float32Array.from([0, 1, 0]),
};

describe("batch plans", () => {
  it("lists each distinct (field, id) once, field by field in order of first use, then every dense block", () => {
    const model = createModel({ kind: "fm", seed: 1, fields: 2, denseDim: 1, embeddingDim: 2, denseBlock: 4 });
    const plan = model.plan(batch);
    expect([...plan.keys.tables]).toEqual([0, 0, 1, 1, DENSE_TABLE]);
    expect([...plan.keys.ids]).toEqual([7, 5, 7, 9, 0]);
    expect([...plan.denseSlots]).toEqual([4]);
  });

  it("points each example's field at its key through slot", () => {
    const model = createModel({ kind: "fm", seed: 1, fields: 2, denseDim: 1, embeddingDim: 2, denseBlock: 4 });
    const plan = model.plan(batch);
    expect([...plan.slot]).toEqual([0, 2, 0, 3, 1, 3]);
  });

  it("packs rows back to back: dim floats per sparse key, the block size per dense block", () => {
    const model = createModel({ kind: "fm", seed: 1, fields: 2, denseDim: 1, embeddingDim: 2, denseBlock: 4 });
    const plan = model.plan(batch);
    expect([...plan.rowOffset]).toEqual([0, 3, 6, 9, 12]);
    expect(plan.totalFloats).toBe(16);
  });

  it("includes every dense block in every plan", () => {
    const model = createModel({ kind: "dlrm-small", seed: 1, fields: 2, denseDim: 1, denseBlock: 1000 });
    const plan = model.plan(batch);
    // 1·64+64 + 64·16+16 + 48·128+128 + 128·64+64 + 64+1 = 15,889 floats: 16 blocks.
    expect([...plan.denseSlots].map((k) => plan.keys.ids[k])).toEqual([...Array(16).keys()]);
    expect(plan.totalFloats).toBe(4 * 16 + 16 * 1000);
  });

  it("dedups the keys of a large batch exactly", () => {
    const model = createModel({ kind: "lr", seed: 1, fields: 26, denseDim: 13 });
    const big = randomBatch(seededRandom(1), 2048, 26, 13, 3000);
    const plan = model.plan(big);
    const expected = new Set<string>();
    for (let b = 0; b < 2048; b++) for (let f = 0; f < 26; f++) expected.add(`${f}:${big.ids[b * 26 + f]}`);
    expect(plan.keys.ids.length).toBe(expected.size + 1);
    let wrong = 0;
    for (let b = 0; b < 2048; b++) {
      for (let f = 0; f < 26; f++) {
        const k = plan.slot[b * 26 + f]!;
        if (plan.keys.tables[k] !== f || plan.keys.ids[k] !== big.ids[b * 26 + f]) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it("rejects a batch whose shape is not the model's", () => {
    const model = createModel({ kind: "lr", seed: 1, fields: 3, denseDim: 1 });
    expect(() => model.plan(batch)).toThrow(RangeError);
  });
});
