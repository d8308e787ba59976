/**
 * Which kernels a model computes with. Models call only the Kernels interface (gpu/);
 * this is where the implementation is picked: the native addon unless the TypeScript
 * reference is asked for, and the reference when the addon is not built here, so a
 * missing addon never stops a default model from being built.
 */
import { NativeKernelsUnavailableError, loadKernels, referenceKernels, type Kernels } from "../../gpu/index.js";
import { ModelKernels } from "./model-options.js";

/** The kernels for a model's `kernels` option; throws NativeKernelsUnavailableError only for an explicit "native". */
export function kernelsFor(choice: ModelKernels | undefined): Kernels {
  if (choice === ModelKernels.Ts) return referenceKernels();
  if (choice === ModelKernels.Native) return loadKernels({ backend: "cpu" });
  try {
    return loadKernels({ backend: "cpu" });
  } catch (error) {
    if (error instanceof NativeKernelsUnavailableError) return referenceKernels();
    throw error;
  }
}
