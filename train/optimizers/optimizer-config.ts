/**
 * The configuration every row optimizer is built from, with its defaults and checks.
 */
import type { OptimizerKind } from "../types.js";

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** Learning rate. */
  readonly lr: number;
  /** Added to the denominator: adagrad default 1e-10, adam default 1e-8. */
  readonly eps?: number;
  /** Adam's first-moment decay. Default 0.9. */
  readonly beta1?: number;
  /** Adam's second-moment decay. Default 0.999. */
  readonly beta2?: number;
  /** Adagrad's initial squared-gradient sum. Default 0. */
  readonly initialAccumulator?: number;
}

/** Adagrad's default eps, as PyTorch's. */
export const ADAGRAD_EPS = 1e-10;
/** Adam's default eps, as PyTorch's. */
export const ADAM_EPS = 1e-8;
/** Adam's default beta1. */
export const ADAM_BETA1 = 0.9;
/** Adam's default beta2. */
export const ADAM_BETA2 = 0.999;

/** Throws RangeError unless every given hyper-parameter is in range. @internal */
export function checkOptimizerConfig(cfg: OptimizerConfig): void {
  const check = (name: string, v: number | undefined, ok: (x: number) => boolean, what: string): void => {
    if (v !== undefined && !(Number.isFinite(v) && ok(v))) throw new RangeError(`optimizer ${name} must be ${what}, got ${v}`);
  };
  if (typeof cfg.lr !== "number") throw new RangeError("optimizer lr is required");
  check("lr", cfg.lr, (x) => x > 0, "> 0");
  check("eps", cfg.eps, (x) => x >= 0, ">= 0");
  check("beta1", cfg.beta1, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("beta2", cfg.beta2, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("initialAccumulator", cfg.initialAccumulator, (x) => x >= 0, ">= 0");
}
