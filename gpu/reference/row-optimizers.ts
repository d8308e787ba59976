/**
 * Reference fused row-sparse optimizer updates: the updates of train/optimizers (SGD,
 * PyTorch's Adagrad, Adam with a per-row step), applied to the listed rows of a table in
 * list order, computed in float64 and stored as fp32. Only listed rows change; a row
 * listed twice is updated twice.
 */
import type { AdagradParams, AdamParams } from "../kernels.js";
import { checkIndices, checkInt } from "./checks.js";

function checkRows(fn: string, params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, stateRows: number): void {
  checkInt(fn, "dim", dim, 1, 2 ** 31);
  checkIndices(fn, "rows", rows, Math.min(stateRows, Math.floor(params.length / dim)));
  if (grads.length < rows.length * dim) throw new RangeError(`${fn}: grads holds fewer than rows.length × dim floats`);
}

/** params row rows[i] −= lr·grad row i. */
export function sgdRows(params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, lr: number): void {
  checkRows("sgdRows", params, dim, rows, grads, Math.floor(params.length / dim));
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i]! * dim;
    const g = i * dim;
    for (let c = 0; c < dim; c++) params[p + c] = params[p + c]! - lr * grads[g + c]!;
  }
}

/** acc += g²; p −= lr·g/(√acc + eps), on each listed row. */
export function adagradRows(
  params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdagradParams,
): void {
  checkRows("adagradRows", params, dim, rows, grads, Math.floor(state.length / dim));
  const { lr, eps } = hp;
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i]! * dim;
    const g0 = i * dim;
    for (let c = 0; c < dim; c++) {
      const g = grads[g0 + c]!;
      const acc = state[p + c]! + g * g;
      state[p + c] = acc;
      params[p + c] = params[p + c]! - (lr * g) / (Math.sqrt(acc) + eps);
    }
  }
}

/** t += 1; m, v updated; p −= lr·√(1−β2^t)/(1−β1^t)·m/(√v + eps), on each listed row. */
export function adamRows(
  params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdamParams,
): void {
  const width = 2 * dim + 1;
  checkRows("adamRows", params, dim, rows, grads, Math.floor(state.length / width));
  const { lr, beta1, beta2, eps } = hp;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const p = row * dim;
    const s = row * width;
    const v0 = s + dim;
    const g0 = i * dim;
    const t = state[s + 2 * dim]! + 1;
    state[s + 2 * dim] = t;
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let c = 0; c < dim; c++) {
      const g = grads[g0 + c]!;
      const m = beta1 * state[s + c]! + (1 - beta1) * g;
      const v = beta2 * state[v0 + c]! + (1 - beta2) * g * g;
      state[s + c] = m;
      state[v0 + c] = v;
      params[p + c] = params[p + c]! - (stepSize * m) / (Math.sqrt(v) + eps);
    }
  }
}
