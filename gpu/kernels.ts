/**
 * The kernel interface: the one set of numeric operations models call, whichever backend
 * runs them (the TypeScript reference, the native CPU addon, later CUDA). Tensors are
 * fp32 typed arrays passed as views (array, offset, row stride, in elements): nothing is
 * copied at the boundary, and every kernel checks its extents and indices before it
 * touches memory, throwing RangeError (or TypeError for a wrong array type).
 *
 * Determinism: every backend computes each output by a fixed sequence of operations, so
 * the same inputs give bitwise the same outputs run to run (and, natively, for any thread
 * count). Backends agree with each other to rounding, not bitwise.
 */

/** Which kernels to load: explicit in configuration, `auto` = the best that answers. */
export const Backend = { Cpu: "cpu", Cuda: "cuda", Auto: "auto" } as const;
export type Backend = (typeof Backend)[keyof typeof Backend];

/** What a Kernels object runs on. */
export const KernelsKind = { Reference: "ts", Cpu: "cpu", Cuda: "cuda" } as const;
export type KernelsKind = (typeof KernelsKind)[keyof typeof KernelsKind];

/** Activation after a layer's bias. */
export const Activation = { None: "none", Relu: "relu" } as const;
export type Activation = (typeof Activation)[keyof typeof Activation];

/** A row-major matrix inside a larger buffer: row r starts at offset + r·stride. */
export interface Matrix {
  readonly data: Float32Array;
  readonly offset: number;
  readonly stride: number;
}

/** C = alpha·op(A)·op(B) + beta·C, with op(A) m×k and op(B) k×n. */
export interface GemmSpec {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Stored m×k, or k×m when transA. */
  readonly a: Matrix;
  readonly transA?: boolean;
  /** Stored k×n, or n×k when transB. */
  readonly b: Matrix;
  readonly transB?: boolean;
  /** m×n; must not overlap A or B. */
  readonly c: Matrix;
  /** Default 1. */
  readonly alpha?: number;
  /** Default 0, and then C is written without being read. */
  readonly beta?: number;
}

/**
 * The dense side of a gather or scatter: `count` items of `dim` floats, `groups` items to
 * a row, item i at offset + ⌊i/groups⌋·stride + (i mod groups)·dim. The count of indices
 * must be a multiple of groups.
 */
export interface RowBlock {
  readonly data: Float32Array;
  /** Default 0. */
  readonly offset?: number;
  /** Default groups·dim (rows packed end to end). */
  readonly stride?: number;
  /** Default 1. */
  readonly groups?: number;
}

/** Adagrad's hyper-parameters (PyTorch's update, no decay). */
export interface AdagradParams {
  readonly lr: number;
  readonly eps: number;
}

/** Adam's hyper-parameters. */
export interface AdamParams {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** The kernels every backend provides. Tables are row-major, row r at r·dim. */
export interface Kernels {
  readonly kind: KernelsKind;

  /** C = alpha·op(A)·op(B) + beta·C. */
  gemm(spec: GemmSpec): void;

  /** gemm off the JS thread where the backend can (native); resolves when C is written. Don't touch A, B or C before. */
  gemmAsync(spec: GemmSpec): Promise<void>;

  /** y[r, c] = act(y[r, c] + bias[biasOffset + c]) for rows × cols. */
  biasActivation(y: Matrix, rows: number, cols: number, bias: Float32Array, biasOffset: number, act: Activation): void;

  /** dy[r, c] = 0 where the activation's output y[r, c] had zero slope (ReLU: y ≤ 0). */
  activationBackward(dy: Matrix, y: Matrix, rows: number, cols: number, act: Activation): void;

  /** dBias[dBiasOffset + c] = (accumulate ? dBias : 0) + Σ_r dy[r, c], rows summed in order. */
  biasGrad(dy: Matrix, rows: number, cols: number, dBias: Float32Array, dBiasOffset: number, accumulate: boolean): void;

  /** Mean BCE-with-logits of the first n logits, and dLogits = (σ(z) − y)/n; 0 for n = 0. */
  bceWithLogits(logits: Float32Array, labels: Float32Array, n: number, dLogits: Float32Array): number;

  /** Item i of `out` = table row index[i]. `out` must not overlap `table`. */
  gather(table: Float32Array, dim: number, index: Int32Array, out: RowBlock): void;

  /** table row index[i] += item i of `src`, in order of i: duplicate rows sum their items. `src` must not overlap `table`. */
  scatterAdd(src: RowBlock, index: Int32Array, table: Float32Array, dim: number): void;

  /** out row b = Σ table row index[i], i in [bags[b], bags[b+1]) in order; bags.length − 1 bags. */
  gatherSum(table: Float32Array, dim: number, index: Int32Array, bags: Int32Array, out: Matrix): void;

  /**
   * Distinct ids in order of first appearance into outIds and, for each, the sum of its
   * gradient rows (dim floats each, input order) into outGrads; returns how many.
   */
  reduceById(ids: Int32Array, grads: Float32Array, dim: number, outIds: Int32Array, outGrads: Float32Array): number;

  /** params row rows[i] −= lr·grad row i, for each i in order. */
  sgdRows(params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, lr: number): void;

  /** Adagrad on the rows listed (state: the accumulator, dim floats per row), in order. */
  adagradRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdagradParams,
  ): void;

  /** Adam with a per-row step on the rows listed (state row: [m(dim), v(dim), t]), in order. */
  adamRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, hp: AdamParams,
  ): void;
}

/** A Matrix view of `data` with the given row stride, from `offset` (default 0). */
export function matrix(data: Float32Array, stride: number, offset = 0): Matrix {
  return { data, offset, stride };
}
