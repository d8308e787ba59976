/**
 * The one matrix product the models need, C = A·Bᵀ (both operands row-major with the
 * shared dimension contiguous, so every inner loop is a pair of unit-stride streams),
 * register-blocked 2×4 so each loaded element feeds several multiply-adds; plus a
 * transpose to bring the other products into that form. Float64 throughout.
 */

/** A row-major matrix inside a larger buffer: row r starts at offset + r·stride. */
export interface MatrixView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
}

/**
 * C[m, n] (+)= Σ_k A[m, k]·B[n, k] for m < M, n < N, k < K. Overwrites C unless
 * `accumulate`. C must not overlap A or B.
 */
export function gemmNT(
  a: MatrixView, b: MatrixView, c: MatrixView,
  M: number, N: number, K: number, accumulate: boolean,
): void {
  const A = a.data;
  const Bd = b.data;
  const C = c.data;
  const as = a.stride;
  const bs = b.stride;
  const cs = c.stride;
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
      for (let k = 0; k < K; k++) {
        const x0 = Bd[b0 + k]!;
        const x1 = Bd[b1 + k]!;
        const x2 = Bd[b2 + k]!;
        const x3 = Bd[b3 + k]!;
        const y0 = A[a0 + k]!;
        const y1 = A[a1 + k]!;
        s00 += y0 * x0;
        s01 += y0 * x1;
        s02 += y0 * x2;
        s03 += y0 * x3;
        s10 += y1 * x0;
        s11 += y1 * x1;
        s12 += y1 * x2;
        s13 += y1 * x3;
      }
      const o0 = c0 + n;
      const o1 = c1 + n;
      if (accumulate) {
        C[o0] = C[o0]! + s00;
        C[o0 + 1] = C[o0 + 1]! + s01;
        C[o0 + 2] = C[o0 + 2]! + s02;
        C[o0 + 3] = C[o0 + 3]! + s03;
        C[o1] = C[o1]! + s10;
        C[o1 + 1] = C[o1 + 1]! + s11;
        C[o1 + 2] = C[o1 + 2]! + s12;
        C[o1 + 3] = C[o1 + 3]! + s13;
      } else {
        C[o0] = s00;
        C[o0 + 1] = s01;
        C[o0 + 2] = s02;
        C[o0 + 3] = s03;
        C[o1] = s10;
        C[o1 + 1] = s11;
        C[o1 + 2] = s12;
        C[o1 + 3] = s13;
      }
    }
    if (n < N) {
      const bn = b.offset + n * bs;
      dotRow(A, a0, Bd, bn, bs, C, c0 + n, N - n, K, accumulate);
      dotRow(A, a1, Bd, bn, bs, C, c1 + n, N - n, K, accumulate);
    }
  }
  if (m < M) dotRow(A, a.offset + m * as, Bd, b.offset, bs, C, c.offset + m * cs, N, K, accumulate);
}

/** C[c..c+N) (+)= one row of A against N rows of B: the remainders of gemmNT. */
function dotRow(
  A: Float64Array, a: number, B: Float64Array, b: number, bs: number,
  C: Float64Array, c: number, N: number, K: number, accumulate: boolean,
): void {
  for (let n = 0; n < N; n++) {
    const bo = b + n * bs;
    let s = 0;
    for (let k = 0; k < K; k++) s += A[a + k]! * B[bo + k]!;
    C[c + n] = accumulate ? C[c + n]! + s : s;
  }
}

/** out[j, i] = in[i, j] for an R×C matrix; out is C×R with stride R. */
export function transpose(src: MatrixView, rows: number, cols: number, out: Float64Array): void {
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
}
