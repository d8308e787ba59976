/**
 * Front door of gpu/: the compute kernels models call (GEMM, bias + activation, loss,
 * embedding gather/scatter, fused row-sparse optimizer updates), behind one interface
 * with a TypeScript reference implementation and a native one (node-addon-api addon in
 * gpu/native, C++ CPU kernels; CUDA kernels come in a later part of issue 4).
 */
export { Activation, Backend, KernelsKind, matrix } from "./kernels.js";
export type { AdagradParams, AdamParams, GemmSpec, Kernels, Matrix, RowBlock } from "./kernels.js";
export { BackendUnavailableError, NativeKernelsUnavailableError } from "./errors.js";
export { backendInfo, loadKernels, referenceKernels } from "./load-kernels.js";
export type { BackendInfo, LoadKernelsOptions } from "./load-kernels.js";
