/**
 * Forward and backward of one fully connected layer over a batch of rows, on Float64
 * scratch. Weights are stored [out][in] (PyTorch's layout). All three products run
 * through gemmNT: forward directly, dW and dx after transposing the operand whose
 * contiguous dimension is the wrong one (a transpose costs one pass; a product, one
 * pass per output column).
 */
import { gemmNT, transpose, type MatrixView } from "./gemm.js";
import type { Workspace } from "./workspace.js";

/** A fully connected layer: offsets of its weight [out][in] and bias [out] in a flat vector. */
export interface LinearLayer {
  readonly inDim: number;
  readonly outDim: number;
  readonly weight: number;
  readonly bias: number;
}

/** y = x·Wᵀ + b for `rows` rows, then ReLU if asked. */
export function linearForward(
  layer: LinearLayer, params: Float64Array, rows: number,
  x: MatrixView, y: MatrixView, relu: boolean,
): void {
  const { inDim, outDim, weight, bias } = layer;
  gemmNT(x, { data: params, offset: weight, stride: inDim }, y, rows, outDim, inDim, false);
  const ys = y.data;
  for (let r = 0; r < rows; r++) {
    const yo = y.offset + r * y.stride;
    for (let o = 0; o < outDim; o++) {
      const v = ys[yo + o]! + params[bias + o]!;
      ys[yo + o] = relu && v < 0 ? 0 : v;
    }
  }
}

/**
 * Given dy = dL/dy, adds dL/dW and dL/db into `grad` (same offsets as params) and, when
 * dx is given, writes dx = dy·W. The first `reluInputs` input columns are ReLU outputs:
 * their dx is zeroed where the input is 0.
 */
export function linearBackward(
  layer: LinearLayer, params: Float64Array, rows: number,
  x: MatrixView, dy: MatrixView, grad: Float64Array,
  dx: MatrixView | null, reluInputs: number, work: Workspace,
): void {
  const { inDim, outDim, weight, bias } = layer;
  const ds = dy.data;
  for (let r = 0; r < rows; r++) {
    const doff = dy.offset + r * dy.stride;
    for (let o = 0; o < outDim; o++) grad[bias + o] = grad[bias + o]! + ds[doff + o]!;
  }
  // dW[o, i] += Σ_r dy[r, o]·x[r, i]
  const dyT = work.buffer(0, outDim * rows);
  const xT = work.buffer(1, inDim * rows);
  transpose(dy, rows, outDim, dyT);
  transpose(x, rows, inDim, xT);
  gemmNT(
    { data: dyT, offset: 0, stride: rows }, { data: xT, offset: 0, stride: rows },
    { data: grad, offset: weight, stride: inDim }, outDim, inDim, rows, true,
  );
  if (dx === null) return;
  // dx[r, i] = Σ_o dy[r, o]·W[o, i]
  const wT = work.buffer(2, inDim * outDim);
  transpose({ data: params, offset: weight, stride: inDim }, outDim, inDim, wT);
  gemmNT(dy, { data: wT, offset: 0, stride: outDim }, dx, rows, inDim, outDim, false);
  if (reluInputs > 0) {
    const xs = x.data;
    const dxs = dx.data;
    for (let r = 0; r < rows; r++) {
      const xo = x.offset + r * x.stride;
      const dxo = dx.offset + r * dx.stride;
      for (let i = 0; i < reluInputs; i++) if (xs[xo + i]! <= 0) dxs[dxo + i] = 0;
    }
  }
}
