import { describe, expect, it } from "vitest";
import { createOptimizer, type OptimizerConfig } from "../../../train/index.js";
import type { Kernels } from "../../../gpu/index.js";
import { NATIVE_SKIP_NOTE, native, nativeBuilt, randomF32, randomIndex, reference, sameBits, seeded, worstError } from "./helpers/tensors.js";

type Kind = "sgd" | "adagrad" | "adam";
const KINDS: Kind[] = ["sgd", "adagrad", "adam"];
const ROWS = 40;

/** State floats per row, as train/optimizers lays them out. */
const width = (kind: Kind, dim: number): number => (kind === "sgd" ? 0 : kind === "adagrad" ? dim : 2 * dim + 1);

const CONFIG: Record<Kind, OptimizerConfig> = {
  sgd: { kind: "sgd", lr: 0.1 },
  adagrad: { kind: "adagrad", lr: 0.05, eps: 1e-10, initialAccumulator: 0.1 },
  adam: { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};

interface Tables {
  readonly params: Float32Array;
  readonly state: Float32Array;
}

/** A table and its optimizer state, as a shard would hold them after a few updates. */
function tables(kind: Kind, dim: number, seed: number): Tables {
  const r = seeded(seed);
  const state = randomF32(r, ROWS * width(kind, dim)).map(Math.abs);
  if (kind === "adam") for (let row = 0; row < ROWS; row++) state[row * (2 * dim + 1) + 2 * dim] = row % 4;
  return { params: randomF32(r, ROWS * dim), state };
}

/** Applies one fused update of `kind` through the kernels, three times (state carries over). */
function update(k: Kernels, kind: Kind, dim: number, t: Tables, rows: Int32Array, grads: Float32Array): void {
  for (let step = 0; step < 3; step++) {
    if (kind === "sgd") k.sgdRows(t.params, dim, rows, grads, 0.1);
    else if (kind === "adagrad") k.adagradRows(t.params, t.state, dim, rows, grads, { lr: 0.05, eps: 1e-10 });
    else k.adamRows(t.params, t.state, dim, rows, grads, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  }
}

const GRID = KINDS.flatMap((kind) => [1, 16, 19].flatMap((dim) => [0, 1, 30].map((count) => ({ kind, dim, count }))));

describe("fused row-sparse optimizer updates, TypeScript reference", () => {
  it.each(GRID)("$kind equals train/optimizers applied row by row (dim $dim, $count rows)", ({ kind, dim, count }) => {
    const r = seeded(dim * 100 + count);
    const rows = randomIndex(r, count, ROWS);
    const grads = randomF32(r, count * dim);
    const fused = tables(kind, dim, 5);
    update(reference(), kind, dim, fused, rows, grads);
    const byRow = tables(kind, dim, 5);
    const opt = createOptimizer(CONFIG[kind]);
    const w = width(kind, dim);
    for (let step = 0; step < 3; step++) {
      for (let i = 0; i < count; i++) opt.apply(byRow.params, rows[i]! * dim, byRow.state, rows[i]! * w, grads, i * dim, dim);
    }
    expect(sameBits(fused.params, byRow.params)).toBe(true);
    expect(sameBits(fused.state, byRow.state)).toBe(true);
  });
});

describe.skipIf(!nativeBuilt)(`fused row-sparse optimizer updates, native CPU against the reference${NATIVE_SKIP_NOTE}`, () => {
  it.each(GRID)("$kind agrees to fp32 rounding and touches only listed rows (dim $dim, $count rows, duplicates)", ({ kind, dim, count }) => {
    const r = seeded(dim * 100 + count + 1);
    const rows = randomIndex(r, count, ROWS);
    const grads = randomF32(r, count * dim);
    const a = tables(kind, dim, 6);
    const b = tables(kind, dim, 6);
    const before = tables(kind, dim, 6);
    update(native(), kind, dim, a, rows, grads);
    update(reference(), kind, dim, b, rows, grads);
    expect(worstError(a.params, b.params, 1e-6, 1e-5)).toBeLessThan(1);
    // Absolute slack at the operands' scale (~1): β·m + (1−β)·g may cancel to near 0.
    expect(worstError(a.state, b.state, 1e-6, 1e-5)).toBeLessThan(1);
    const touched = new Set(rows);
    for (let row = 0; row < ROWS; row++) {
      if (touched.has(row)) continue;
      expect(sameBits(a.params.subarray(row * dim, row * dim + dim), before.params.subarray(row * dim, row * dim + dim))).toBe(true);
    }
  });

  it.each(KINDS)("%s gives bitwise the same table run after run", (kind) => {
    const run = (): Tables => {
      const r = seeded(9);
      const t = tables(kind, 16, 7);
      update(native(), kind, 16, t, randomIndex(r, 30, ROWS), randomF32(r, 30 * 16));
      return t;
    };
    const x = run();
    const y = run();
    expect(sameBits(x.params, y.params)).toBe(true);
    expect(sameBits(x.state, y.state)).toBe(true);
  });

  it("rejects a row outside the table or its state, and short gradients, on both backends", () => {
    for (const k of [native(), reference()]) {
      const params = new Float32Array(8);
      expect(() => k.sgdRows(params, 2, Int32Array.from([4]), new Float32Array(2), 0.1)).toThrow(RangeError);
      expect(() => k.adagradRows(params, new Float32Array(4), 2, Int32Array.from([2]), new Float32Array(2), { lr: 1, eps: 0 })).toThrow(RangeError);
      expect(() => k.adamRows(params, new Float32Array(10), 2, Int32Array.from([2]), new Float32Array(2), { lr: 1, beta1: 0.9, beta2: 0.9, eps: 0 })).toThrow(RangeError);
      expect(() => k.sgdRows(params, 2, Int32Array.from([0, 1]), new Float32Array(3), 0.1)).toThrow(RangeError);
    }
  });
});
