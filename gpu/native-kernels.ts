/**
 * The Kernels interface over the native CPU addon: unpacks each call's views into the
 * addon's positional arguments and nothing more. The arrays themselves cross without a
 * copy, and the addon checks every extent and index (RangeError / TypeError).
 */
import {
  Activation,
  KernelsKind,
  type AdagradParams,
  type AdamParams,
  type GemmSpec,
  type Kernels,
  type Matrix,
  type RowBlock,
} from "./kernels.js";
import type { NativeAddon } from "./native-addon.js";

/** addon.cc's Activation enum. */
const ACTIVATION_CODE: Readonly<Record<Activation, number>> = { [Activation.None]: 0, [Activation.Relu]: 1 };

function activationCode(act: Activation): number {
  const code = ACTIVATION_CODE[act];
  if (code === undefined) throw new RangeError(`unknown activation ${String(act)}`);
  return code;
}

/** Kernels run by the native addon on the CPU. @internal */
export class NativeKernels implements Kernels {
  readonly kind = KernelsKind.Cpu;
  readonly #addon: NativeAddon;

  constructor(addon: NativeAddon) {
    this.#addon = addon;
  }

  gemm(s: GemmSpec): void {
    this.#addon.gemm(
      s.transA ?? false, s.transB ?? false, s.m, s.n, s.k, s.alpha ?? 1,
      s.a.data, s.a.offset, s.a.stride, s.b.data, s.b.offset, s.b.stride,
      s.beta ?? 0, s.c.data, s.c.offset, s.c.stride,
    );
  }

  gemmAsync(s: GemmSpec): Promise<void> {
    // The addon checks its arguments before queueing; a bad call rejects, never throws.
    try {
      return this.#addon.gemmAsync(
        s.transA ?? false, s.transB ?? false, s.m, s.n, s.k, s.alpha ?? 1,
        s.a.data, s.a.offset, s.a.stride, s.b.data, s.b.offset, s.b.stride,
        s.beta ?? 0, s.c.data, s.c.offset, s.c.stride,
      );
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  biasActivation(y: Matrix, rows: number, cols: number, bias: Float32Array, biasOffset: number, act: Activation): void {
    this.#addon.biasActivation(y.data, y.offset, y.stride, rows, cols, bias, biasOffset, activationCode(act));
  }

  activationBackward(dy: Matrix, y: Matrix, rows: number, cols: number, act: Activation): void {
    this.#addon.activationBackward(dy.data, dy.offset, dy.stride, y.data, y.offset, y.stride, rows, cols, activationCode(act));
  }

  biasGrad(dy: Matrix, rows: number, cols: number, dBias: Float32Array, dBiasOffset: number, accumulate: boolean): void {
    this.#addon.biasGrad(dy.data, dy.offset, dy.stride, rows, cols, dBias, dBiasOffset, accumulate);
  }

  bceWithLogits(logits: Float32Array, labels: Float32Array, n: number, dLogits: Float32Array): number {
    return this.#addon.bceWithLogits(logits, labels, n, dLogits);
  }

  gather(table: Float32Array, dim: number, index: Int32Array, out: RowBlock): void {
    const groups = out.groups ?? 1;
    this.#addon.gather(table, dim, index, out.data, out.offset ?? 0, out.stride ?? groups * dim, groups);
  }

  scatterAdd(src: RowBlock, index: Int32Array, table: Float32Array, dim: number): void {
    const groups = src.groups ?? 1;
    this.#addon.scatterAdd(src.data, src.offset ?? 0, src.stride ?? groups * dim, groups, index, table, dim);
  }

  gatherSum(table: Float32Array, dim: number, index: Int32Array, bags: Int32Array, out: Matrix): void {
    this.#addon.gatherSum(table, dim, index, bags, out.data, out.offset, out.stride);
  }

  reduceById(ids: Int32Array, grads: Float32Array, dim: number, outIds: Int32Array, outGrads: Float32Array): number {
    return this.#addon.reduceById(ids, grads, dim, outIds, outGrads);
  }

  sgdRows(params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, lr: number): void {
    this.#addon.sgdRows(params, dim, rows, grads, lr);
  }

  adagradRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdagradParams,
  ): void {
    this.#addon.adagradRows(params, state, dim, rows, grads, hp.lr, hp.eps);
  }

  adamRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdamParams,
  ): void {
    this.#addon.adamRows(params, state, dim, rows, grads, hp.lr, hp.beta1, hp.beta2, hp.eps);
  }
}
