/**
 * Plain SGD on one row: p −= lr·g. No state.
 */
import { OptimizerKind, type RowOptimizer } from "../types.js";

/** SGD with learning rate lr. */
export function sgd(lr: number): RowOptimizer {
  return {
    kind: OptimizerKind.Sgd,
    stateWidth: () => 0,
    initState: () => {},
    apply(params, pOff, _state, _sOff, grad, gOff, dim) {
      for (let i = 0; i < dim; i++) params[pOff + i] = params[pOff + i]! - lr * grad[gOff + i]!;
    },
  };
}
