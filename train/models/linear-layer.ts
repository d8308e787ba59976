/**
 * Forward and backward of one fully connected layer over a batch of rows, on the kernel
 * interface. Weights are stored [out][in] (PyTorch's layout), so the three products are
 * y = x·Wᵀ, dW = dyᵀ·x and dx = dy·W: one GEMM each, transposes folded into the call.
 */
import { Activation, type Kernels, type Matrix } from "../../gpu/index.js";

/** A fully connected layer: offsets of its weight [out][in] and bias [out] in a flat vector. */
export interface LinearLayer {
  readonly inDim: number;
  readonly outDim: number;
  readonly weight: number;
  readonly bias: number;
}

/** y = act(x·Wᵀ + b) for `rows` rows. */
export function linearForward(
  k: Kernels, layer: LinearLayer, params: Float32Array, rows: number, x: Matrix, y: Matrix, act: Activation,
): void {
  const { inDim, outDim, weight, bias } = layer;
  k.gemm({ m: rows, n: outDim, k: inDim, a: x, b: { data: params, offset: weight, stride: inDim }, transB: true, c: y });
  k.biasActivation(y, rows, outDim, params, bias, act);
}

/**
 * Given dy = dL/dy, writes dL/dW and dL/db into `grad` (same offsets as params, previous
 * contents overwritten) and, when dx is given, dx = dy·W with the slope of the input's
 * activation applied to its first `reluInputs` columns (x holds the ReLU outputs there).
 */
export function linearBackward(
  k: Kernels, layer: LinearLayer, params: Float32Array, rows: number,
  x: Matrix, dy: Matrix, grad: Float32Array, dx: Matrix | null, reluInputs: number,
): void {
  const { inDim, outDim, weight, bias } = layer;
  k.biasGrad(dy, rows, outDim, grad, bias, false);
  // dW[o, i] = Σ_r dy[r, o]·x[r, i]
  k.gemm({ m: outDim, n: inDim, k: rows, a: dy, transA: true, b: x, c: { data: grad, offset: weight, stride: inDim } });
  if (dx === null) return;
  // dx[r, i] = Σ_o dy[r, o]·W[o, i]
  k.gemm({ m: rows, n: inDim, k: outDim, a: dy, b: { data: params, offset: weight, stride: inDim }, c: dx });
  if (reluInputs > 0) k.activationBackward(dx, x, rows, reluInputs, Activation.Relu);
}
