/**
 * The TypeScript implementation of the Kernels interface: the reference every other
 * backend is tested against, and the fallback where the native addon is not built.
 * Synchronous throughout; gemmAsync runs the same code and resolves after it.
 */
import {
  KernelsKind,
  type Activation,
  type AdagradParams,
  type AdamParams,
  type GemmSpec,
  type Kernels,
  type Matrix,
  type RowBlock,
} from "../kernels.js";
import { activationBackward, bceWithLogits, biasActivation, biasGrad } from "./dense-ops.js";
import { gemm } from "./gemm.js";
import { adagradRows, adamRows, sgdRows } from "./row-optimizers.js";
import { Scratch } from "./scratch.js";
import { gather, gatherSum, reduceById, scatterAdd } from "./sparse-ops.js";

/** Reference kernels; each instance owns its scratch, so give each model its own. @internal */
export class ReferenceKernels implements Kernels {
  readonly kind = KernelsKind.Reference;
  readonly #scratch = new Scratch();

  gemm(spec: GemmSpec): void {
    gemm(spec, this.#scratch);
  }

  gemmAsync(spec: GemmSpec): Promise<void> {
    try {
      gemm(spec, this.#scratch);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  biasActivation(y: Matrix, rows: number, cols: number, bias: Float32Array, biasOffset: number, act: Activation): void {
    biasActivation(y, rows, cols, bias, biasOffset, act);
  }

  activationBackward(dy: Matrix, y: Matrix, rows: number, cols: number, act: Activation): void {
    activationBackward(dy, y, rows, cols, act);
  }

  biasGrad(dy: Matrix, rows: number, cols: number, dBias: Float32Array, dBiasOffset: number, accumulate: boolean): void {
    biasGrad(dy, rows, cols, dBias, dBiasOffset, accumulate);
  }

  bceWithLogits(logits: Float32Array, labels: Float32Array, n: number, dLogits: Float32Array): number {
    return bceWithLogits(logits, labels, n, dLogits);
  }

  gather(table: Float32Array, dim: number, index: Int32Array, out: RowBlock): void {
    gather(table, dim, index, out);
  }

  scatterAdd(src: RowBlock, index: Int32Array, table: Float32Array, dim: number): void {
    scatterAdd(src, index, table, dim);
  }

  gatherSum(table: Float32Array, dim: number, index: Int32Array, bags: Int32Array, out: Matrix): void {
    gatherSum(table, dim, index, bags, out);
  }

  reduceById(ids: Int32Array, grads: Float32Array, dim: number, outIds: Int32Array, outGrads: Float32Array): number {
    return reduceById(ids, grads, dim, outIds, outGrads);
  }

  sgdRows(params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, lr: number): void {
    sgdRows(params, dim, rows, grads, lr);
  }

  adagradRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdagradParams,
  ): void {
    adagradRows(params, state, dim, rows, grads, hp);
  }

  adamRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdamParams,
  ): void {
    adamRows(params, state, dim, rows, grads, hp);
  }
}
