/**
 * Adagrad on one row, as PyTorch computes it (no lr decay, no weight decay):
 * acc += g²; p −= lr·g / (√acc + eps). State: acc, one float per parameter, starting at
 * initialAccumulator. Row-sparse by construction: only rows given a gradient change.
 */
import { OptimizerKind, type RowOptimizer } from "../types.js";

/** Adagrad with learning rate lr. */
export function adagrad(lr: number, eps: number, initialAccumulator: number): RowOptimizer {
  return {
    kind: OptimizerKind.Adagrad,
    stateWidth: (dim) => dim,
    initState(state, off, dim) {
      state.fill(initialAccumulator, off, off + dim);
    },
    apply(params, pOff, state, sOff, grad, gOff, dim) {
      for (let i = 0; i < dim; i++) {
        const g = grad[gOff + i]!;
        const acc = state[sOff + i]! + g * g;
        state[sOff + i] = acc;
        params[pOff + i] = params[pOff + i]! - (lr * g) / (Math.sqrt(acc) + eps);
      }
    },
  };
}
