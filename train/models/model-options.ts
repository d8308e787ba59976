/**
 * The options every model is built from, their defaults, and their checks. A model is a
 * pure function of these: two processes given the same options build the same model.
 */
import { DENSE_TABLE, type ModelKind } from "../types.js";

/** Which kernels a model computes with: the TypeScript reference or the native addon (gpu/). */
export const ModelKernels = { Ts: "ts", Native: "native" } as const;
export type ModelKernels = (typeof ModelKernels)[keyof typeof ModelKernels];

export interface ModelOptions {
  readonly kind: ModelKind;
  /** Seed of the counter-based initialisation. */
  readonly seed: number;
  /** Categorical fields F (tables 0..F-1). */
  readonly fields: number;
  /** Dense features D. */
  readonly denseDim: number;
  /** Embedding width k: fm default 8, dlrm-small default 16 (also the bottom MLP's output). Ignored by lr. */
  readonly embeddingDim?: number;
  /** Floats per dense-parameter block (rows of DENSE_TABLE). Default 1024. */
  readonly denseBlock?: number;
  /**
   * Kernels of the dense math (dlrm-small's layers and loss): "native" requires the addon
   * (throws NativeKernelsUnavailableError without it), "ts" the TypeScript reference.
   * Default: native where the addon loads, else ts. The two agree to fp32 rounding, not
   * bitwise; each is deterministic.
   */
  readonly kernels?: ModelKernels;
}

/** Default floats per dense-parameter block. */
export const DEFAULT_DENSE_BLOCK = 1024;
/** Default embedding width of fm. */
export const DEFAULT_FM_EMBEDDING_DIM = 8;
/** Default embedding width of dlrm-small (the benchmark's). */
export const DEFAULT_DLRM_EMBEDDING_DIM = 16;

/** Throws RangeError unless the options describe a model that can be built. @internal */
export function checkModelOptions(opts: ModelOptions): void {
  const positiveInt = (name: string, v: number, max = 2 ** 31 - 1): void => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`${name} must be an integer in [1, ${max}], got ${v}`);
  };
  if (!Number.isInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  positiveInt("fields", opts.fields, DENSE_TABLE - 1);
  if (!Number.isInteger(opts.denseDim) || opts.denseDim < 0) {
    throw new RangeError(`denseDim must be a non-negative integer, got ${opts.denseDim}`);
  }
  if (opts.embeddingDim !== undefined) positiveInt("embeddingDim", opts.embeddingDim, 4096);
  if (opts.denseBlock !== undefined) positiveInt("denseBlock", opts.denseBlock, 1 << 24);
  if (opts.kernels !== undefined && opts.kernels !== ModelKernels.Ts && opts.kernels !== ModelKernels.Native) {
    throw new RangeError(`kernels must be "ts" or "native", got ${String(opts.kernels)}`);
  }
}
