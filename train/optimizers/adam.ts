/**
 * Lazy (row-sparse) Adam on one row, like PyTorch's SparseAdam but with the step count
 * kept per row, so a rarely seen row gets the bias correction of its own history:
 * t += 1; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr·√(1−β2^t)/(1−β1^t) · m / (√v + eps).
 * State layout per row: [m_0..m_{dim-1}, v_0..v_{dim-1}, t] (2·dim + 1 floats).
 */
import { OptimizerKind, type RowOptimizer } from "../types.js";

/** Adam with learning rate lr and the given decays. */
export function adam(lr: number, beta1: number, beta2: number, eps: number): RowOptimizer {
  return {
    kind: OptimizerKind.Adam,
    stateWidth: (dim) => 2 * dim + 1,
    initState(state, off, dim) {
      state.fill(0, off, off + 2 * dim + 1);
    },
    apply(params, pOff, state, sOff, grad, gOff, dim) {
      const t = state[sOff + 2 * dim]! + 1;
      state[sOff + 2 * dim] = t;
      const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      const vOff = sOff + dim;
      for (let i = 0; i < dim; i++) {
        const g = grad[gOff + i]!;
        const m = beta1 * state[sOff + i]! + (1 - beta1) * g;
        const v = beta2 * state[vOff + i]! + (1 - beta2) * g * g;
        state[sOff + i] = m;
        state[vOff + i] = v;
        params[pOff + i] = params[pOff + i]! - (stepSize * m) / (Math.sqrt(v) + eps);
      }
    },
  };
}
