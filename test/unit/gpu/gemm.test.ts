import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKernels, type GemmSpec, type Kernels } from "../../../gpu/index.js";
import { NATIVE_SKIP_NOTE, native, nativeBuilt, randomF32, reference, sameBits, seeded, worstError } from "./helpers/tensors.js";

/** One product's operands, stored with padded strides and offsets so views are exercised. */
interface Case {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly alpha: number;
  readonly beta: number;
}

interface Operands {
  readonly spec: GemmSpec;
  /** C before the product. */
  readonly c0: Float32Array;
}

function operands(cs: Case, seed: number): Operands {
  const r = seeded(seed);
  const [ar, ac] = cs.transA ? [cs.k, cs.m] : [cs.m, cs.k];
  const [br, bc] = cs.transB ? [cs.n, cs.k] : [cs.k, cs.n];
  const lda = ac + 3;
  const ldb = bc + 1;
  const ldc = cs.n + 2;
  const a = randomF32(r, 5 + ar * lda);
  const b = randomF32(r, 2 + br * ldb);
  const c0 = randomF32(r, 7 + cs.m * ldc);
  return {
    spec: {
      m: cs.m, n: cs.n, k: cs.k, transA: cs.transA, transB: cs.transB, alpha: cs.alpha, beta: cs.beta,
      a: { data: a, offset: 5, stride: lda }, b: { data: b, offset: 2, stride: ldb }, c: { data: c0.slice(), offset: 7, stride: ldc },
    },
    c0,
  };
}

/** The product in float64 the obvious way, and Σ|a·b| per element (the scale of rounding error). */
function naive(o: Operands): { c: Float64Array; scale: Float64Array } {
  const { m, n, k, a, b, c } = o.spec;
  const alpha = o.spec.alpha ?? 1;
  const beta = o.spec.beta ?? 0;
  const A = (i: number, p: number): number => (o.spec.transA ? a.data[a.offset + p * a.stride + i]! : a.data[a.offset + i * a.stride + p]!);
  const B = (p: number, j: number): number => (o.spec.transB ? b.data[b.offset + j * b.stride + p]! : b.data[b.offset + p * b.stride + j]!);
  const out = Float64Array.from(o.c0);
  const scale = new Float64Array(o.c0.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        s += A(i, p) * B(p, j);
        abs += Math.abs(A(i, p) * B(p, j));
      }
      const at = c.offset + i * c.stride + j;
      out[at] = alpha * s + (beta === 0 ? 0 : beta * o.c0[at]!);
      scale[at] = Math.abs(alpha) * abs + Math.abs(beta * o.c0[at]!);
    }
  }
  return { c: out, scale };
}

/** Expects C after kernels.gemm to match the float64 product within fp32 rounding of a k-term sum. */
function expectProduct(kernels: Kernels, cs: Case, seed: number): void {
  const o = operands(cs, seed);
  kernels.gemm(o.spec);
  const want = naive(o);
  const got = o.spec.c.data;
  for (let i = 0; i < got.length; i++) {
    const tol = (cs.k + 2) * 2 ** -23 * want.scale[i]! + 1e-30;
    if (!(Math.abs(got[i]! - want.c[i]!) <= tol)) expect.fail(`C[${i}] = ${got[i]}, want ${want.c[i]} ± ${tol}`);
  }
}

// Sizes around the native blocking: micro-tiles 6×16 (AVX2) / 4×8, MC = 96 / 64, KC = 256.
const SHAPES: readonly [number, number, number][] = [
  [1, 1, 1], [1, 64, 300], [7, 13, 5], [6, 16, 256], [37, 45, 257], [200, 35, 513], [97, 17, 3], [3, 130, 70],
];
const CASES: Case[] = SHAPES.flatMap(([m, n, k]) =>
  [false, true].flatMap((transA) => [false, true].map((transB) => ({ m, n, k, transA, transB, alpha: 1, beta: 0 }))),
);
const SCALED: Case[] = [
  { m: 9, n: 19, k: 33, transA: false, transB: true, alpha: 0.5, beta: 1 },
  { m: 50, n: 7, k: 260, transA: true, transB: false, alpha: -2, beta: -0.25 },
];

describe("gemm, TypeScript reference", () => {
  it.each(CASES)("computes op(A)·op(B) for $m×$n×$k, transA $transA, transB $transB", (cs) => {
    expectProduct(reference(), cs, cs.m * 31 + cs.n * 7 + cs.k);
  });

  it.each(SCALED)("applies alpha $alpha and beta $beta", (cs) => {
    expectProduct(reference(), cs, 5);
  });
});

const ISAS = ["best", "baseline"] as const;

describe.skipIf(!nativeBuilt).each(ISAS)(`gemm, native CPU kernels, %s micro-kernel${NATIVE_SKIP_NOTE}`, (isa) => {
  beforeEach(() => {
    loadKernels({ isa });
  });

  afterEach(() => {
    loadKernels({ threads: 1, isa: "best" });
  });

  it.each(CASES)("computes op(A)·op(B) for $m×$n×$k, transA $transA, transB $transB", (cs) => {
    expectProduct(native(), cs, cs.m * 31 + cs.n * 7 + cs.k);
  });

  it.each(SCALED)("applies alpha $alpha and beta $beta", (cs) => {
    expectProduct(native(), cs, 5);
  });

  it("agrees with the reference on the shapes of a dlrm-small step", () => {
    for (const cs of [
      { m: 300, n: 128, k: 432, transA: false, transB: true, alpha: 1, beta: 0 },
      { m: 128, n: 432, k: 300, transA: true, transB: false, alpha: 1, beta: 0 },
      { m: 300, n: 432, k: 128, transA: false, transB: false, alpha: 1, beta: 0 },
    ]) {
      const a = operands(cs, 1);
      const b = operands(cs, 1);
      native().gemm(a.spec);
      reference().gemm(b.spec);
      expect(worstError(a.spec.c.data, b.spec.c.data, 1e-4 * Math.sqrt(cs.k), 0)).toBeLessThan(1);
    }
  });

  it("overwrites C without reading it when beta is 0 (NaN in C stays out)", () => {
    const o = operands({ m: 5, n: 9, k: 4, transA: false, transB: false, alpha: 1, beta: 0 }, 3);
    o.spec.c.data.fill(Number.NaN);
    native().gemm(o.spec);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 9; j++) expect(Number.isNaN(o.spec.c.data[7 + i * 11 + j]!)).toBe(false);
    }
  });

  it("sets C to beta·C when k is 0 and does nothing when m or n is 0", () => {
    const o = operands({ m: 4, n: 3, k: 0, transA: false, transB: false, alpha: 1, beta: 0.5 }, 4);
    native().gemm(o.spec);
    expect(o.spec.c.data[7]).toBe(Math.fround(o.c0[7]! * 0.5));
    const e = operands({ m: 0, n: 3, k: 5, transA: false, transB: false, alpha: 1, beta: 0 }, 4);
    native().gemm(e.spec);
    expect(sameBits(e.spec.c.data, e.c0)).toBe(true);
  });

  it("gives bitwise the same C for the same inputs, run after run", () => {
    const cs = { m: 130, n: 70, k: 300, transA: true, transB: true, alpha: 1, beta: 1 };
    const first = operands(cs, 9);
    const second = operands(cs, 9);
    native().gemm(first.spec);
    native().gemm(second.spec);
    expect(sameBits(first.spec.c.data, second.spec.c.data)).toBe(true);
  });

  it.each([
    { m: 300, n: 200, k: 100, transA: false, transB: true, alpha: 1, beta: 0 },
    { m: 50, n: 500, k: 100, transA: true, transB: false, alpha: 1, beta: 1 },
  ])("gives bitwise the same C on 1 and 2 threads ($m×$n×$k, split along the longer side)", (cs) => {
    const one = operands(cs, 11);
    const two = operands(cs, 11);
    loadKernels({ threads: 1 }).gemm(one.spec);
    loadKernels({ threads: 2 }).gemm(two.spec);
    expect(sameBits(one.spec.c.data, two.spec.c.data)).toBe(true);
  });

  it("runs gemmAsync off the JS thread to the same bits as gemm", async () => {
    const cs = { m: 64, n: 48, k: 200, transA: false, transB: true, alpha: 1, beta: 0 };
    const sync = operands(cs, 13);
    const later = operands(cs, 13);
    native().gemm(sync.spec);
    await native().gemmAsync(later.spec);
    expect(sameBits(sync.spec.c.data, later.spec.c.data)).toBe(true);
  });

  it("rejects operands that do not fit their arrays, and C overlapping A, on both backends", async () => {
    for (const k of [native(), reference()]) {
      const o = operands({ m: 4, n: 4, k: 4, transA: false, transB: false, alpha: 1, beta: 0 }, 2);
      expect(() => k.gemm({ ...o.spec, m: 5 })).toThrow(RangeError);
      expect(() => k.gemm({ ...o.spec, a: { ...o.spec.a, stride: 2 } })).toThrow(RangeError);
      expect(() => k.gemm({ ...o.spec, c: { data: o.spec.a.data, offset: 0, stride: 4 } })).toThrow(/overlaps a/);
      await expect(k.gemmAsync({ ...o.spec, n: 40 })).rejects.toThrow(RangeError);
    }
  });

  it("rejects an array of the wrong type with a TypeError", () => {
    const o = operands({ m: 2, n: 2, k: 2, transA: false, transB: false, alpha: 1, beta: 0 }, 2);
    const wrong = new Float64Array(16) as unknown as Float32Array;
    expect(() => native().gemm({ ...o.spec, b: { data: wrong, offset: 0, stride: 2 } })).toThrow(TypeError);
  });
});
