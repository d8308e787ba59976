import { describe, expect, it } from "vitest";
import { Activation, type Kernels } from "../../../gpu/index.js";
import { NATIVE_SKIP_NOTE, native, nativeBuilt, randomF32, reference, sameBits, seeded, worstError } from "./helpers/tensors.js";

const ROWS = [0, 1, 7, 130];
const COLS = 19;
const STRIDE = 23;

describe("bias + activation, TypeScript reference", () => {
  it("adds the bias to every row, then clamps negatives to 0 for ReLU only", () => {
    const y = Float32Array.from([-1, 2, 0.5, -3, 4, -0.25]);
    const bias = Float32Array.from([9, 0.5, -1]);
    reference().biasActivation({ data: y, offset: 0, stride: 3 }, 2, 3, bias, 0, Activation.Relu);
    expect([...y]).toEqual([8, 2.5, 0, 6, 4.5, 0]);
    const z = Float32Array.from([-1, 2]);
    reference().biasActivation({ data: z, offset: 0, stride: 2 }, 1, 2, Float32Array.from([0, 1]), 0, Activation.None);
    expect([...z]).toEqual([-1, 3]);
  });

  it("zeroes the gradient where the ReLU output was not positive", () => {
    const dy = Float32Array.from([1, 2, 3, 4]);
    reference().activationBackward({ data: dy, offset: 0, stride: 2 }, { data: Float32Array.from([0, 1, 2, -0]), offset: 0, stride: 2 }, 2, 2, Activation.Relu);
    expect([...dy]).toEqual([0, 2, 3, 0]);
  });

  it("sums the gradient's rows into the bias gradient, or adds them to it", () => {
    const dy = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const db = Float32Array.from([10, 10, 10]);
    reference().biasGrad({ data: dy, offset: 0, stride: 3 }, 2, 3, db, 0, true);
    expect([...db]).toEqual([15, 17, 19]);
    reference().biasGrad({ data: dy, offset: 0, stride: 3 }, 2, 3, db, 0, false);
    expect([...db]).toEqual([5, 7, 9]);
  });

  it("gives the mean BCE with logits and (σ(z) − y)/n, stable for large |z|", () => {
    const logits = Float32Array.from([0, 100, -100, 2]);
    const labels = Float32Array.from([1, 1, 1, 0]);
    const d = new Float32Array(4);
    const loss = reference().bceWithLogits(logits, labels, 4, d);
    const want = (Math.log(2) + 0 + 100 + (2 + Math.log1p(Math.exp(-2)))) / 4;
    expect(loss).toBeCloseTo(want, 6);
    expect(d[0]).toBeCloseTo(-0.5 / 4, 7);
    expect(d[2]).toBeCloseTo(-1 / 4, 7);
    expect(d[3]).toBeCloseTo(1 / (1 + Math.exp(-2)) / 4, 7);
    expect(reference().bceWithLogits(logits, labels, 0, d)).toBe(0);
  });
});

/** Runs one element-wise op on both backends from the same inputs; returns both outputs. */
function both<T>(run: (k: Kernels) => T): [T, T] {
  return [run(native()), run(reference())];
}

describe.skipIf(!nativeBuilt)(`dense kernels, native CPU against the reference${NATIVE_SKIP_NOTE}`, () => {
  it.each(ROWS)("bias + ReLU and bias + none agree bitwise on %i rows", (rows) => {
    for (const act of [Activation.Relu, Activation.None]) {
      const [a, b] = both((k) => {
        const r = seeded(rows + 1);
        const y = randomF32(r, 3 + rows * STRIDE);
        k.biasActivation({ data: y, offset: 3, stride: STRIDE }, rows, COLS, randomF32(r, COLS + 2), 2, act);
        return y;
      });
      expect(sameBits(a, b)).toBe(true);
    }
  });

  it.each(ROWS)("ReLU backward agrees bitwise on %i rows", (rows) => {
    const [a, b] = both((k) => {
      const r = seeded(rows + 2);
      const dy = randomF32(r, rows * STRIDE);
      const y = randomF32(r, rows * COLS).map((v) => Math.max(v, 0));
      k.activationBackward({ data: dy, offset: 0, stride: STRIDE }, { data: y, offset: 0, stride: COLS }, rows, COLS, Activation.Relu);
      return dy;
    });
    expect(sameBits(a, b)).toBe(true);
  });

  it.each(ROWS)("bias gradient agrees to fp32 rounding on %i rows", (rows) => {
    for (const accumulate of [false, true]) {
      const [a, b] = both((k) => {
        const r = seeded(rows + 3);
        const dy = randomF32(r, rows * STRIDE);
        const db = randomF32(r, COLS);
        k.biasGrad({ data: dy, offset: 0, stride: STRIDE }, rows, COLS, db, 0, accumulate);
        return db;
      });
      expect(worstError(a, b, 1e-6 * Math.max(1, Math.sqrt(rows)), 1e-6)).toBeLessThan(1);
    }
  });

  it.each([0, 1, 7, 2048])("BCE with logits agrees on %i examples", (n) => {
    const [a, b] = both((k) => {
      const r = seeded(n + 4);
      const logits = randomF32(r, n, 30);
      const labels = Float32Array.from(randomF32(r, n), (v) => (v > 0 ? 1 : 0));
      const d = new Float32Array(n);
      return { loss: k.bceWithLogits(logits, labels, n, d), d };
    });
    expect(a.loss).toBeCloseTo(b.loss, 12);
    expect(worstError(a.d, b.d, 1e-12, 1e-6)).toBeLessThan(1);
  });

  it("gives bitwise the same bias gradient and loss run after run", () => {
    const run = (): [Float32Array, number, Float32Array] => {
      const r = seeded(77);
      const dy = randomF32(r, 513 * COLS);
      const db = new Float32Array(COLS);
      native().biasGrad({ data: dy, offset: 0, stride: COLS }, 513, COLS, db, 0, false);
      const d = new Float32Array(513);
      const loss = native().bceWithLogits(randomF32(r, 513, 5), randomF32(r, 513), 513, d);
      return [db, loss, d];
    };
    const [db1, l1, d1] = run();
    const [db2, l2, d2] = run();
    expect(sameBits(db1, db2)).toBe(true);
    expect(l1).toBe(l2);
    expect(sameBits(d1, d2)).toBe(true);
  });

  it("rejects views that do not fit their arrays on both backends", () => {
    for (const k of [native(), reference()]) {
      const y = new Float32Array(10);
      expect(() => k.biasActivation({ data: y, offset: 0, stride: 5 }, 3, 5, new Float32Array(5), 0, Activation.Relu)).toThrow(RangeError);
      expect(() => k.biasActivation({ data: y, offset: 0, stride: 5 }, 2, 5, new Float32Array(4), 0, Activation.Relu)).toThrow(RangeError);
      expect(() => k.bceWithLogits(new Float32Array(2), new Float32Array(3), 3, new Float32Array(3))).toThrow(RangeError);
    }
  });
});
