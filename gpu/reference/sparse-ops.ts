/**
 * Reference row-sparse kernels: gather (plain and sum-pooled), scatter-add, duplicate-id
 * reduction. Each addition is one fp32 addition into fp32 storage, in index order, so
 * these agree bitwise with the native kernels.
 */
import type { Matrix, RowBlock } from "../kernels.js";
import { checkIndices, checkInt, checkMatrix } from "./checks.js";

/** The checked layout of a RowBlock holding `count` items of `dim` floats. */
function layout(fn: string, name: string, block: RowBlock, count: number, dim: number): { offset: number; stride: number; groups: number } {
  const groups = block.groups ?? 1;
  checkInt(fn, "groups", groups, 1, 2 ** 31);
  const offset = block.offset ?? 0;
  const stride = block.stride ?? groups * dim;
  if (count % groups !== 0) throw new RangeError(`${fn}: ${count} indices are not a whole number of rows of ${groups}`);
  checkMatrix(fn, name, block.data.length, offset, count / groups, groups * dim, stride);
  return { offset, stride, groups };
}

/** Item i of `out` = table row index[i]. */
export function gather(table: Float32Array, dim: number, index: Int32Array, out: RowBlock): void {
  const fn = "gather";
  checkInt(fn, "dim", dim, 1, 2 ** 31);
  const { offset, stride, groups } = layout(fn, "out", out, index.length, dim);
  checkIndices(fn, "index", index, Math.floor(table.length / dim));
  const O = out.data;
  for (let i = 0; i < index.length; i++) {
    const r = Math.floor(i / groups);
    const dst = offset + r * stride + (i - r * groups) * dim;
    O.set(table.subarray(index[i]! * dim, index[i]! * dim + dim), dst);
  }
}

/** table row index[i] += item i of `src`, in order of i. */
export function scatterAdd(src: RowBlock, index: Int32Array, table: Float32Array, dim: number): void {
  const fn = "scatterAdd";
  checkInt(fn, "dim", dim, 1, 2 ** 31);
  const { offset, stride, groups } = layout(fn, "src", src, index.length, dim);
  checkIndices(fn, "index", index, Math.floor(table.length / dim));
  const S = src.data;
  for (let i = 0; i < index.length; i++) {
    const r = Math.floor(i / groups);
    const from = offset + r * stride + (i - r * groups) * dim;
    const to = index[i]! * dim;
    for (let c = 0; c < dim; c++) table[to + c] = table[to + c]! + S[from + c]!;
  }
}

/** out row b = Σ table row index[i], i in [bags[b], bags[b+1]) in order. */
export function gatherSum(table: Float32Array, dim: number, index: Int32Array, bags: Int32Array, out: Matrix): void {
  const fn = "gatherSum";
  checkInt(fn, "dim", dim, 1, 2 ** 31);
  if (bags.length < 1) throw new RangeError(`${fn}: bags needs at least one offset (bag count + 1)`);
  let prev = 0;
  for (let b = 0; b < bags.length; b++) {
    const o = bags[b]!;
    if (o < prev || o > index.length) {
      throw new RangeError(`${fn}: bags must be non-decreasing offsets in [0, ${index.length}]; bags[${b}] = ${o}`);
    }
    prev = o;
  }
  const bagCount = bags.length - 1;
  checkMatrix(fn, "out", out.data.length, out.offset, bagCount, dim, out.stride);
  checkIndices(fn, "index", index, Math.floor(table.length / dim));
  const O = out.data;
  for (let b = 0; b < bagCount; b++) {
    const dst = out.offset + b * out.stride;
    O.fill(0, dst, dst + dim);
    for (let i = bags[b]!; i < bags[b + 1]!; i++) {
      const src = index[i]! * dim;
      for (let c = 0; c < dim; c++) O[dst + c] = O[dst + c]! + table[src + c]!;
    }
  }
}

/** Distinct ids in first-appearance order into outIds, their summed gradient rows into outGrads; returns how many. */
export function reduceById(ids: Int32Array, grads: Float32Array, dim: number, outIds: Int32Array, outGrads: Float32Array): number {
  const fn = "reduceById";
  checkInt(fn, "dim", dim, 1, 2 ** 31);
  const n = ids.length;
  if (grads.length < n * dim) throw new RangeError(`${fn}: grads holds fewer than ids.length × dim floats`);
  if (outIds.length < n) throw new RangeError(`${fn}: outIds is shorter than ids`);
  if (outGrads.length < n * dim) throw new RangeError(`${fn}: outGrads holds fewer than ids.length × dim floats`);
  const position = new Map<number, number>();
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    const at = position.get(id);
    if (at === undefined) {
      position.set(id, distinct);
      outIds[distinct] = id;
      outGrads.set(grads.subarray(i * dim, i * dim + dim), distinct * dim);
      distinct++;
    } else {
      const to = at * dim;
      const from = i * dim;
      for (let c = 0; c < dim; c++) outGrads[to + c] = outGrads[to + c]! + grads[from + c]!;
    }
  }
  return distinct;
}
