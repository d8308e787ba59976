/**
 * Choosing kernels: the native ones for `cpu` and `auto` (CUDA is not built in this
 * build, so `auto` means the CPU addon), the TypeScript reference on request, and a
 * report of what this process could load, for `colony status` and benchmarks.
 */
import { BackendUnavailableError } from "./errors.js";
import { Backend, KernelsKind, type Kernels } from "./kernels.js";
import { loadAddon } from "./native-addon.js";
import { NativeKernels } from "./native-kernels.js";
import { ReferenceKernels } from "./reference/reference-kernels.js";

/** How to load kernels. */
export interface LoadKernelsOptions {
  /** Which backend; default auto. */
  readonly backend?: Backend;
  /** Threads one large native GEMM may use, process-wide (1..64). Default: left as is (1 at load). */
  readonly threads?: number;
  /**
   * Native GEMM micro-kernel, process-wide: "best" (AVX2+FMA where the CPU has it) or
   * "baseline" (4-wide vectors, any CPU; for comparing paths and testing the fallback).
   * Default: left as is (best at load).
   */
  readonly isa?: "best" | "baseline";
}

const CUDA_NOT_BUILT = "CUDA kernels are not built in this build (the CPU part of issue 4 only); use backend cpu or auto";

let native: NativeKernels | undefined;

/**
 * The native kernels for the backend asked for. Throws NativeKernelsUnavailableError
 * (saying how to build) when the addon is missing or does not load, and
 * BackendUnavailableError for cuda.
 */
export function loadKernels(opts: LoadKernelsOptions = {}): Kernels {
  const backend = opts.backend ?? Backend.Auto;
  if (backend === Backend.Cuda) throw new BackendUnavailableError(backend, CUDA_NOT_BUILT);
  if (backend !== Backend.Cpu && backend !== Backend.Auto) {
    throw new BackendUnavailableError(String(backend), `unknown backend "${String(backend)}": use cpu, cuda or auto`);
  }
  const load = loadAddon();
  if (!load.ok) throw load.error;
  if (opts.threads !== undefined) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 64) {
      throw new RangeError(`threads must be an integer in [1, 64], got ${opts.threads}`);
    }
    load.addon.setThreads(opts.threads);
  }
  if (opts.isa !== undefined) {
    if (opts.isa !== "best" && opts.isa !== "baseline") throw new RangeError(`isa must be "best" or "baseline", got ${String(opts.isa)}`);
    load.addon.setBaselineIsa(opts.isa === "baseline");
  }
  native ??= new NativeKernels(load.addon);
  return native;
}

/** A fresh instance of the TypeScript reference kernels (each owns its scratch). */
export function referenceKernels(): Kernels {
  return new ReferenceKernels();
}

/** What this process can run, as reported by `colony status` and benchmarks. */
export interface BackendInfo {
  /** The native CPU addon: where it loaded from and how it runs, or why it did not load. */
  readonly cpu:
    | { readonly available: true; readonly path: string; readonly isa: string; readonly threads: number; readonly hardwareThreads: number }
    | { readonly available: false; readonly reason: string };
  readonly cuda: { readonly available: false; readonly reason: string };
  /** What `auto` gives here: cpu when the addon loads, else nothing native (models fall back to ts). */
  readonly auto: KernelsKind;
}

/** Reports which backends this process can load; never throws. */
export function backendInfo(): BackendInfo {
  const load = loadAddon();
  const cuda = { available: false, reason: CUDA_NOT_BUILT } as const;
  if (!load.ok) return { cpu: { available: false, reason: load.error.message }, cuda, auto: KernelsKind.Reference };
  const info = load.addon.info();
  return {
    cpu: { available: true, path: load.path, isa: info.isa, threads: info.threads, hardwareThreads: info.hardwareThreads },
    cuda,
    auto: KernelsKind.Cpu,
  };
}
