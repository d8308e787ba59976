/**
 * The one way to build a row optimizer from its configuration, defaults filled in.
 */
import { OptimizerKind, type RowOptimizer } from "../types.js";
import { adagrad } from "./adagrad.js";
import { adam } from "./adam.js";
import { ADAGRAD_EPS, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, checkOptimizerConfig, type OptimizerConfig } from "./optimizer-config.js";
import { sgd } from "./sgd.js";

/** Builds a row optimizer; throws RangeError for an out-of-range hyper-parameter. */
export function createOptimizer(cfg: OptimizerConfig): RowOptimizer {
  checkOptimizerConfig(cfg);
  switch (cfg.kind) {
    case OptimizerKind.Sgd:
      return sgd(cfg.lr);
    case OptimizerKind.Adagrad:
      return adagrad(cfg.lr, cfg.eps ?? ADAGRAD_EPS, cfg.initialAccumulator ?? 0);
    case OptimizerKind.Adam:
      return adam(cfg.lr, cfg.beta1 ?? ADAM_BETA1, cfg.beta2 ?? ADAM_BETA2, cfg.eps ?? ADAM_EPS);
    default: {
      const kind: never = cfg.kind;
      throw new RangeError(`unknown optimizer kind ${String(kind)}`);
    }
  }
}
