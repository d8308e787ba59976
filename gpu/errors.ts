/**
 * Why kernels could not be had. Both are terminal: retrying without rebuilding or
 * reconfiguring gives the same answer.
 */
import { TerminalError } from "../protocols/index.js";

/** The native addon is not built, or does not load here; `cause` says why. */
export class NativeKernelsUnavailableError extends TerminalError {
  /** Where the addon was looked for. */
  readonly searched: readonly string[];
  constructor(message: string, searched: readonly string[], options?: { cause?: unknown }) {
    super("gpu.native_unavailable", message, options);
    this.searched = searched;
  }
}

/** A backend was asked for that this build or this machine cannot provide. */
export class BackendUnavailableError extends TerminalError {
  readonly backend: string;
  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super("gpu.backend_unavailable", message, options);
    this.backend = backend;
  }
}
