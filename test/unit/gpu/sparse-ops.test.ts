import { describe, expect, it } from "vitest";
import type { Kernels } from "../../../gpu/index.js";
import { NATIVE_SKIP_NOTE, native, nativeBuilt, randomF32, randomIndex, reference, sameBits, seeded } from "./helpers/tensors.js";

const DIMS = [1, 3, 16, 37];
const COUNTS = [0, 1, 5, 260];

describe("row-sparse kernels, TypeScript reference", () => {
  it("gathers rows by index, several to a row of the output", () => {
    const table = Float32Array.from([0, 1, 10, 11, 20, 21]);
    const out = new Float32Array(2 + 2 * 5);
    reference().gather(table, 2, Int32Array.from([2, 0, 2, 1]), { data: out, offset: 1, stride: 5, groups: 2 });
    expect([...out]).toEqual([0, 20, 21, 0, 1, 0, 20, 21, 10, 11, 0, 0]);
  });

  it("scatter-adds items into their rows, summing duplicates", () => {
    const table = new Float32Array(6);
    reference().scatterAdd({ data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, Int32Array.from([2, 0, 2]), table, 2);
    expect([...table]).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it("sums each bag of rows, an empty bag to zeros", () => {
    const table = Float32Array.from([1, 2, 10, 20, 100, 200]);
    const out = new Float32Array(6).fill(9);
    reference().gatherSum(table, 2, Int32Array.from([0, 2, 2, 1]), Int32Array.from([0, 3, 3, 4]), { data: out, offset: 0, stride: 2 });
    expect([...out]).toEqual([201, 402, 0, 0, 10, 20]);
  });

  it("reduces duplicate ids to one summed row each, in order of first appearance", () => {
    const outIds = new Int32Array(4);
    const outGrads = new Float32Array(8);
    const n = reference().reduceById(Int32Array.from([7, 3, 7, 7]), Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, outIds, outGrads);
    expect(n).toBe(2);
    expect([...outIds.subarray(0, 2)]).toEqual([7, 3]);
    expect([...outGrads.subarray(0, 4)]).toEqual([13, 16, 3, 4]);
  });
});

/** The same sparse op on both backends from the same seeded inputs. */
function onBoth<T>(run: (k: Kernels, random: () => number) => T, seed: number): [T, T] {
  return [run(native(), seeded(seed)), run(reference(), seeded(seed))];
}

const GRID = DIMS.flatMap((dim) => COUNTS.map((count) => ({ dim, count })));

describe.skipIf(!nativeBuilt)(`row-sparse kernels, native CPU against the reference${NATIVE_SKIP_NOTE}`, () => {
  it.each(GRID)("gather agrees bitwise (dim $dim, $count indices, duplicates)", ({ dim, count }) => {
    const [a, b] = onBoth((k, r) => {
      const table = randomF32(r, 50 * dim);
      const index = randomIndex(r, count, 50);
      const groups = count % 5 === 0 && count > 0 ? 5 : 1;
      const stride = groups * dim + 3;
      const out = new Float32Array(2 + (count / groups) * stride);
      k.gather(table, dim, index, { data: out, offset: 2, stride, groups });
      return out;
    }, dim * 1000 + count);
    expect(sameBits(a, b)).toBe(true);
  });

  it.each(GRID)("scatter-add agrees bitwise (dim $dim, $count indices, duplicates)", ({ dim, count }) => {
    const [a, b] = onBoth((k, r) => {
      const table = randomF32(r, 20 * dim);
      const index = randomIndex(r, count, 20);
      const src = randomF32(r, count * dim);
      k.scatterAdd({ data: src }, index, table, dim);
      return table;
    }, dim * 1000 + count + 1);
    expect(sameBits(a, b)).toBe(true);
  });

  it.each(GRID)("pooled gather agrees bitwise (dim $dim, $count indices)", ({ dim, count }) => {
    const [a, b] = onBoth((k, r) => {
      const table = randomF32(r, 30 * dim);
      const index = randomIndex(r, count, 30);
      const cuts = [0, ...Array.from({ length: 3 }, () => Math.floor(r() * (count + 1))).sort((x, y) => x - y), count];
      const out = new Float32Array(4 * dim);
      k.gatherSum(table, dim, index, Int32Array.from(cuts), { data: out, offset: 0, stride: dim });
      return out;
    }, dim * 1000 + count + 2);
    expect(sameBits(a, b)).toBe(true);
  });

  it.each(GRID)("duplicate-id reduction agrees bitwise (dim $dim, $count ids)", ({ dim, count }) => {
    const [a, b] = onBoth((k, r) => {
      const ids = randomIndex(r, count, 12);
      const grads = randomF32(r, count * dim);
      const outIds = new Int32Array(count);
      const outGrads = new Float32Array(count * dim);
      const n = k.reduceById(ids, grads, dim, outIds, outGrads);
      return { n, outIds, outGrads };
    }, dim * 1000 + count + 3);
    expect(a.n).toBe(b.n);
    expect(sameBits(a.outIds, b.outIds)).toBe(true);
    expect(sameBits(a.outGrads, b.outGrads)).toBe(true);
  });

  it("reduces negative and large ids as ids, not as positions", () => {
    const outIds = new Int32Array(3);
    const n = native().reduceById(Int32Array.from([-5, 2 ** 31 - 1, -5]), Float32Array.from([1, 2, 3]), 1, outIds, new Float32Array(3));
    expect(n).toBe(2);
    expect([...outIds.subarray(0, 2)]).toEqual([-5, 2 ** 31 - 1]);
  });

  it("works on views that start inside a larger buffer, without copying", () => {
    const buffer = new ArrayBuffer(4 * 64);
    const table = new Float32Array(buffer, 4 * 8, 12).map((_, i) => i);
    const out = new Float32Array(buffer, 4 * 32, 6);
    native().gather(table, 3, Int32Array.from([3, 1]), { data: out });
    expect([...new Float32Array(buffer, 4 * 32, 6)]).toEqual([9, 10, 11, 3, 4, 5]);
  });

  it("rejects an index outside the table, and a count that is not whole rows, on both backends", () => {
    for (const k of [native(), reference()]) {
      const table = new Float32Array(8);
      expect(() => k.gather(table, 2, Int32Array.from([4]), { data: new Float32Array(2) })).toThrow(RangeError);
      expect(() => k.gather(table, 2, Int32Array.from([-1]), { data: new Float32Array(2) })).toThrow(RangeError);
      expect(() => k.scatterAdd({ data: new Float32Array(6), groups: 2 }, Int32Array.from([0, 1, 2]), table, 2)).toThrow(RangeError);
      expect(() => k.gatherSum(table, 2, Int32Array.from([0]), Int32Array.from([0, 2]), { data: new Float32Array(2), offset: 0, stride: 2 })).toThrow(RangeError);
      expect(() => k.reduceById(Int32Array.from([1, 2]), new Float32Array(4), 2, new Int32Array(1), new Float32Array(4))).toThrow(RangeError);
    }
  });

  it("rejects an index array of the wrong type with a TypeError", () => {
    const wrong = new Uint32Array(1) as unknown as Int32Array;
    expect(() => native().gather(new Float32Array(4), 2, wrong, { data: new Float32Array(2) })).toThrow(TypeError);
  });
});
