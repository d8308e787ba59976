/**
 * One optimizer step on a list of rows through the kernel interface's fused row-sparse
 * updates (sgdRows, adagradRows, adamRows): the same rules as train/optimizers, applied
 * to a whole batch's rows in one native call instead of row by row in TypeScript.
 */
import type { Kernels } from "../../gpu/index.js";
import { ADAGRAD_EPS, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, type OptimizerConfig } from "../optimizers/index.js";
import { OptimizerKind } from "../types.js";

/** A row update bound to its kernels and hyper-parameters. */
export type RowUpdate = (params: Float32Array, state: Float32Array, dim: number, rows: Int32Array, grads: Float32Array) => void;

/** The fused update for this optimizer: row rows[i] takes gradient row i of grads. Rows must be distinct. */
export function fusedRowUpdate(kernels: Kernels, cfg: OptimizerConfig): RowUpdate {
  switch (cfg.kind) {
    case OptimizerKind.Sgd:
      return (params, _state, dim, rows, grads) => kernels.sgdRows(params, dim, rows, grads, cfg.lr);
    case OptimizerKind.Adagrad: {
      const hp = { lr: cfg.lr, eps: cfg.eps ?? ADAGRAD_EPS };
      return (params, state, dim, rows, grads) => kernels.adagradRows(params, state, dim, rows, grads, hp);
    }
    case OptimizerKind.Adam: {
      const hp = { lr: cfg.lr, beta1: cfg.beta1 ?? ADAM_BETA1, beta2: cfg.beta2 ?? ADAM_BETA2, eps: cfg.eps ?? ADAM_EPS };
      return (params, state, dim, rows, grads) => kernels.adamRows(params, state, dim, rows, grads, hp);
    }
    default: {
      const kind: never = cfg.kind;
      throw new RangeError(`unknown optimizer kind ${String(kind)}`);
    }
  }
}
