/**
 * The kernel implementations model tests run on: the TypeScript reference always, the
 * native addon where it is built (tests on it are skipped, and say so, where it is not).
 */
import { backendInfo } from "../../../../gpu/index.js";
import type { ModelKernels } from "../../../../train/index.js";

/** Whether the native addon loads in this process. */
export const nativeBuilt = backendInfo().cpu.available;

/** Each kernel choice, with whether to skip it here. */
export const KERNEL_CHOICES: readonly { readonly kernels: ModelKernels; readonly skip: boolean }[] = [
  { kernels: "ts", skip: false },
  { kernels: "native", skip: !nativeBuilt },
];
