/**
 * The reference GEMM, C = alpha·op(A)·op(B) + beta·C, in TypeScript. Every product is
 * brought to the form C = A·Bᵀ with both operands row-major and the shared dimension
 * contiguous (a transpose costs one pass into scratch; a product, one pass per output
 * column), then run by a kernel register-blocked 2×4 so each loaded element feeds several
 * multiply-adds. Sums are kept in float64 and rounded once, into C.
 */
import type { GemmSpec, Matrix } from "../kernels.js";
import { checkInt, checkMatrix } from "./checks.js";
import type { Scratch } from "./scratch.js";

const FN = "gemm";

/** Checks a GemmSpec as the native addon does; throws RangeError. @internal */
export function checkGemm(s: GemmSpec): void {
  for (const [name, v] of [["m", s.m], ["n", s.n], ["k", s.k]] as const) checkInt(FN, name, v, 0, 2 ** 31);
  const alpha = s.alpha ?? 1;
  if (s.k > 0 && alpha !== 0 && s.m > 0 && s.n > 0) {
    const ta = s.transA ?? false;
    const tb = s.transB ?? false;
    checkMatrix(FN, "a", s.a.data.length, s.a.offset, ta ? s.k : s.m, ta ? s.m : s.k, s.a.stride);
    checkMatrix(FN, "b", s.b.data.length, s.b.offset, tb ? s.n : s.k, tb ? s.k : s.n, s.b.stride);
    if (s.c.data.buffer === s.a.data.buffer || s.c.data.buffer === s.b.data.buffer) {
      const c0 = s.c.data.byteOffset + 4 * s.c.offset;
      const c1 = s.c.data.byteOffset + 4 * (s.c.offset + (s.m - 1) * s.c.stride + s.n);
      const overlaps = (x: Matrix, rows: number, cols: number): boolean => {
        if (x.data.buffer !== s.c.data.buffer) return false;
        const x0 = x.data.byteOffset + 4 * x.offset;
        const x1 = x.data.byteOffset + 4 * (x.offset + (rows - 1) * x.stride + cols);
        return x0 < c1 && c0 < x1;
      };
      if (overlaps(s.a, ta ? s.k : s.m, ta ? s.m : s.k)) throw new RangeError(`${FN}: c overlaps a`);
      if (overlaps(s.b, tb ? s.n : s.k, tb ? s.k : s.n)) throw new RangeError(`${FN}: c overlaps b`);
    }
  }
  checkMatrix(FN, "c", s.c.data.length, s.c.offset, s.m, s.n, s.c.stride);
}

/** Runs a GemmSpec (checked first); scratch holds the transposed operands. */
export function gemm(s: GemmSpec, scratch: Scratch): void {
  checkGemm(s);
  const { m, n, k } = s;
  const alpha = s.alpha ?? 1;
  const beta = s.beta ?? 0;
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    scaleC(s.c, m, n, beta);
    return;
  }
  // A as m×k rows and B as n×k rows.
  const a = s.transA ?? false ? transpose(s.a, k, m, scratch.buffer(0, m * k)) : s.a;
  const b = s.transB ?? false ? s.b : transpose(s.b, k, n, scratch.buffer(1, n * k));
  gemmNT(a, b, s.c, m, n, k, alpha, beta);
}

function scaleC(c: Matrix, m: number, n: number, beta: number): void {
  const C = c.data;
  for (let i = 0; i < m; i++) {
    const o = c.offset + i * c.stride;
    for (let j = 0; j < n; j++) C[o + j] = beta === 0 ? 0 : beta * C[o + j]!;
  }
}

/** A view of out holding src transposed: src is rows×cols, out becomes cols×rows. */
function transpose(src: Matrix, rows: number, cols: number, out: Float32Array): Matrix {
  const S = src.data;
  // Tiles keep both the reads and the writes within a few cache lines.
  const T = 16;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) {
        const so = src.offset + i * src.stride;
        for (let j = j0; j < j1; j++) out[j * rows + i] = S[so + j]!;
      }
    }
  }
  return { data: out, offset: 0, stride: rows };
}

/** C[i, j] = alpha·Σ_p A[i, p]·B[j, p] + beta·C[i, j]. */
function gemmNT(a: Matrix, b: Matrix, c: Matrix, M: number, N: number, K: number, alpha: number, beta: number): void {
  const A = a.data;
  const Bd = b.data;
  const C = c.data;
  const as = a.stride;
  const bs = b.stride;
  const cs = c.stride;
  const put = (o: number, s: number): void => {
    C[o] = beta === 0 ? alpha * s : alpha * s + beta * C[o]!;
  };
  let m = 0;
  // 2 rows of A × 4 rows of B: 8 accumulators and 6 operands stay in registers.
  for (; m + 2 <= M; m += 2) {
    const a0 = a.offset + m * as;
    const a1 = a0 + as;
    const c0 = c.offset + m * cs;
    const c1 = c0 + cs;
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const b0 = b.offset + n * bs;
      const b1 = b0 + bs;
      const b2 = b1 + bs;
      const b3 = b2 + bs;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < K; p++) {
        const x0 = Bd[b0 + p]!;
        const x1 = Bd[b1 + p]!;
        const x2 = Bd[b2 + p]!;
        const x3 = Bd[b3 + p]!;
        const y0 = A[a0 + p]!;
        const y1 = A[a1 + p]!;
        s00 += y0 * x0;
        s01 += y0 * x1;
        s02 += y0 * x2;
        s03 += y0 * x3;
        s10 += y1 * x0;
        s11 += y1 * x1;
        s12 += y1 * x2;
        s13 += y1 * x3;
      }
      put(c0 + n, s00);
      put(c0 + n + 1, s01);
      put(c0 + n + 2, s02);
      put(c0 + n + 3, s03);
      put(c1 + n, s10);
      put(c1 + n + 1, s11);
      put(c1 + n + 2, s12);
      put(c1 + n + 3, s13);
    }
    for (; n < N; n++) {
      put(c0 + n, dot(A, a0, Bd, b.offset + n * bs, K));
      put(c1 + n, dot(A, a1, Bd, b.offset + n * bs, K));
    }
  }
  if (m < M) {
    const a0 = a.offset + m * as;
    const c0 = c.offset + m * cs;
    for (let n = 0; n < N; n++) put(c0 + n, dot(A, a0, Bd, b.offset + n * bs, K));
  }
}

function dot(A: Float32Array, a: number, B: Float32Array, b: number, K: number): number {
  let s = 0;
  for (let p = 0; p < K; p++) s += A[a + p]! * B[b + p]!;
  return s;
}
