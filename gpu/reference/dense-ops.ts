/**
 * Reference element-wise kernels around a fully connected layer: bias + activation,
 * activation backward, bias gradient, and BCE with logits. Single additions into fp32
 * storage round exactly as fp32 arithmetic does, so bias + activation and its backward
 * agree bitwise with the native ones; the sums (bias gradient, loss) run in float64.
 */
import { Activation, type Matrix } from "../kernels.js";
import { checkInt, checkMatrix } from "./checks.js";

function checkActivation(fn: string, act: Activation): void {
  if (act !== Activation.None && act !== Activation.Relu) throw new RangeError(`${fn}: unknown activation ${String(act)}`);
}

/** y[r, c] = act(y[r, c] + bias[biasOffset + c]). */
export function biasActivation(y: Matrix, rows: number, cols: number, bias: Float32Array, biasOffset: number, act: Activation): void {
  const fn = "biasActivation";
  checkActivation(fn, act);
  checkInt(fn, "rows", rows, 0);
  checkInt(fn, "cols", cols, 0);
  checkMatrix(fn, "y", y.data.length, y.offset, rows, cols, y.stride);
  checkMatrix(fn, "bias", bias.length, biasOffset, 1, cols, cols);
  const Y = y.data;
  const relu = act === Activation.Relu;
  for (let r = 0; r < rows; r++) {
    const o = y.offset + r * y.stride;
    for (let c = 0; c < cols; c++) {
      const v = Math.fround(Y[o + c]! + bias[biasOffset + c]!);
      // !(v > 0), as the native kernel: NaN and −0 become +0 too.
      Y[o + c] = relu && !(v > 0) ? 0 : v;
    }
  }
}

/** dy[r, c] = 0 where the activation's output y[r, c] had zero slope (ReLU: y ≤ 0). */
export function activationBackward(dy: Matrix, y: Matrix, rows: number, cols: number, act: Activation): void {
  const fn = "activationBackward";
  checkActivation(fn, act);
  checkInt(fn, "rows", rows, 0);
  checkInt(fn, "cols", cols, 0);
  checkMatrix(fn, "dy", dy.data.length, dy.offset, rows, cols, dy.stride);
  checkMatrix(fn, "y", y.data.length, y.offset, rows, cols, y.stride);
  if (act === Activation.None) return;
  const D = dy.data;
  const Y = y.data;
  for (let r = 0; r < rows; r++) {
    const d = dy.offset + r * dy.stride;
    const o = y.offset + r * y.stride;
    for (let c = 0; c < cols; c++) if (!(Y[o + c]! > 0)) D[d + c] = 0;
  }
}

/** dBias[dBiasOffset + c] = (accumulate ? dBias : 0) + Σ_r dy[r, c]. */
export function biasGrad(dy: Matrix, rows: number, cols: number, dBias: Float32Array, dBiasOffset: number, accumulate: boolean): void {
  const fn = "biasGrad";
  checkInt(fn, "rows", rows, 0);
  checkInt(fn, "cols", cols, 0);
  checkMatrix(fn, "dy", dy.data.length, dy.offset, rows, cols, dy.stride);
  checkMatrix(fn, "dBias", dBias.length, dBiasOffset, 1, cols, cols);
  const D = dy.data;
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0, o = dy.offset + c; r < rows; r++, o += dy.stride) s += D[o]!;
    const i = dBiasOffset + c;
    dBias[i] = accumulate ? dBias[i]! + s : s;
  }
}

/** Mean BCE-with-logits of the first n logits, and dLogits = (σ(z) − y)/n; 0 for n = 0. */
export function bceWithLogits(logits: Float32Array, labels: Float32Array, n: number, dLogits: Float32Array): number {
  checkInt("bceWithLogits", "n", n, 0);
  if (n > logits.length || n > labels.length || n > dLogits.length) {
    throw new RangeError(`bceWithLogits: n = ${n} exceeds logits, labels or dLogits`);
  }
  if (n === 0) return 0;
  const inv = 1 / n;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i]!;
    const y = labels[i]!;
    loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    let sig: number;
    if (z >= 0) {
      sig = 1 / (1 + Math.exp(-z));
    } else {
      const e = Math.exp(z);
      sig = e / (1 + e);
    }
    dLogits[i] = (sig - y) * inv;
  }
  return loss * inv;
}
