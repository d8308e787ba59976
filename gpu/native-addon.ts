/**
 * Finding and loading the native addon (gpu/native, built by gpu/native/build.sh), once
 * per process, and the exact shape of what it exports: positional arguments, in the order
 * gpu/native/cpu/addon.cc reads them. Only native-kernels.ts calls these functions.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NativeKernelsUnavailableError } from "./errors.js";

/** The addon's argument layout version; addon.cc's kAbiVersion must match. */
const ADDON_ABI = 1;
const ADDON_FILE = "colony_native.node";

/** What the addon reports about itself. */
export interface NativeInfo {
  readonly abi: number;
  /** GEMM micro-kernel in use: "avx2-fma" or "baseline". */
  readonly isa: string;
  readonly threads: number;
  readonly hardwareThreads: number;
  readonly cuda: boolean;
}

/** The functions addon.cc exports. Offsets and strides are in elements. @internal */
export interface NativeAddon {
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number,
  ): void;
  gemmAsync(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number,
  ): Promise<void>;
  biasActivation(
    y: Float32Array, yOffset: number, ldy: number, rows: number, cols: number,
    bias: Float32Array, biasOffset: number, act: number,
  ): void;
  activationBackward(
    dy: Float32Array, dyOffset: number, lddy: number, y: Float32Array, yOffset: number, ldy: number,
    rows: number, cols: number, act: number,
  ): void;
  biasGrad(
    dy: Float32Array, dyOffset: number, lddy: number, rows: number, cols: number,
    dBias: Float32Array, dBiasOffset: number, accumulate: boolean,
  ): void;
  bceWithLogits(logits: Float32Array, labels: Float32Array, n: number, dLogits: Float32Array): number;
  gather(
    table: Float32Array, dim: number, index: Int32Array,
    out: Float32Array, outOffset: number, outStride: number, groups: number,
  ): void;
  scatterAdd(
    src: Float32Array, srcOffset: number, srcStride: number, groups: number,
    index: Int32Array, table: Float32Array, dim: number,
  ): void;
  gatherSum(
    table: Float32Array, dim: number, index: Int32Array, bags: Int32Array,
    out: Float32Array, outOffset: number, outStride: number,
  ): void;
  reduceById(ids: Int32Array, grads: Float32Array, dim: number, outIds: Int32Array, outGrads: Float32Array): number;
  sgdRows(params: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, lr: number): void;
  adagradRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array,
    lr: number, eps: number,
  ): void;
  adamRows(
    params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number,
  ): void;
  setThreads(threads: number): number;
  /** Forces the baseline GEMM micro-kernel (true) or the best the CPU has (false); returns the one in use. */
  setBaselineIsa(baseline: boolean): string;
  info(): NativeInfo;
}

/** The outcome of looking for the addon: cached, so every caller sees the same one. */
export type AddonLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly error: NativeKernelsUnavailableError };

let loaded: AddonLoad | undefined;

/** Where the built addon may be: next to the sources (run from gpu/) or from dist/gpu/. */
function candidatePaths(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    path.resolve(here, "native", "build", "Release", ADDON_FILE),
    path.resolve(here, "..", "..", "gpu", "native", "build", "Release", ADDON_FILE),
  ];
}

const HOW_TO_BUILD = "build it with `npm run setup` (or `bash gpu/native/build.sh`)";

function tryLoad(): AddonLoad {
  const searched = candidatePaths();
  const found = searched.find((p) => existsSync(p));
  if (found === undefined) {
    return {
      ok: false,
      error: new NativeKernelsUnavailableError(`the native kernels are not built: ${HOW_TO_BUILD}`, searched),
    };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(found) as NativeAddon;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    return {
      ok: false,
      error: new NativeKernelsUnavailableError(`the native addon ${found} does not load (${why}): ${HOW_TO_BUILD}`, searched, { cause }),
    };
  }
  const abi = addon.info().abi;
  if (abi !== ADDON_ABI) {
    return {
      ok: false,
      error: new NativeKernelsUnavailableError(
        `the native addon ${found} was built from other sources (abi ${abi}, expected ${ADDON_ABI}): ${HOW_TO_BUILD}`,
        searched,
      ),
    };
  }
  return { ok: true, addon, path: found };
}

/** The addon, or why there is none; looked up once per process. @internal */
export function loadAddon(): AddonLoad {
  loaded ??= tryLoad();
  return loaded;
}
