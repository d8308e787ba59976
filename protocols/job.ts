/**
 * Job conversation: the coordinator publishes progress while training runs and one
 * final message when the job is done (or has failed), which the root supervisor waits for.
 */
import { bool, int, num, obj, optional, str, strings } from "./fields.js";

export interface Progress {
  readonly v: 1;
  readonly type: "job.progress";
  /** Current pass over the data (0-based) and the number of passes. */
  readonly epoch: number;
  readonly epochs: number;
  readonly rowsDone: number;
  readonly rowsTotal: number;
  readonly samplesPerSec: number;
  /** Mean training loss of the tasks finished recently. */
  readonly loss: number;
  readonly workers: number;
  /** The latest score of the live parameters on the held-out slice (observability.evalEveryMs); absent before the first. */
  readonly heldOut?: HeldOutEval;
  /** The rebalancer: rounds run, partitions moved, and its latest decision that moved any; absent before the first round. */
  readonly rebalance?: RebalanceSummary;
}

/** What the rebalancer has done so far (actors/coordinator/rebalancer.ts). */
export interface RebalanceSummary {
  readonly rounds: number;
  readonly moves: number;
  readonly last?: {
    readonly at: number;
    readonly trigger: string;
    readonly epoch: number;
    readonly moves: number;
    readonly ratioBefore: number;
    readonly ratioAfter: number;
    /** The moves as "partition:from→to". */
    readonly moved: readonly string[];
    readonly explanation: string;
  };
}

/** Scores of a model on a data file. */
export interface EvalResult { readonly rows: number; readonly auc: number; readonly logloss: number }

/** A periodic score of the parameters the shards hold, on the first rows of the held-out file, taken while training runs. */
export interface HeldOutEval extends EvalResult {
  /** Wall-clock time the rows were pulled, ms since 1970. */
  readonly at: number;
  /** Rows the job had trained when it was taken. */
  readonly rowsDone: number;
  /** Evaluations taken so far in this coordinator's life. */
  readonly count: number;
}

export interface JobDone {
  readonly v: 1;
  readonly type: "job.done";
  readonly ok: boolean;
  readonly rowsTrained: number;
  /** Rows trained more than once (tasks re-run after a lost lease). */
  readonly rowsRepeated: number;
  readonly durationMs: number;
  readonly checkpoint?: string;
  readonly eval?: EvalResult;
  readonly error?: string;
  /** Set when an operator ended the job before every task was trained (`colony down`). */
  readonly endedEarly?: string;
}

export const validateProgress = (m: Record<string, unknown>): Progress => ({
  v: 1,
  type: "job.progress",
  epoch: int(m, "epoch"),
  epochs: int(m, "epochs"),
  rowsDone: int(m, "rowsDone"),
  rowsTotal: int(m, "rowsTotal"),
  samplesPerSec: num(m, "samplesPerSec"),
  loss: num(m, "loss"),
  workers: int(m, "workers"),
  heldOut: optional(m, "heldOut", heldOutEval),
  rebalance: optional(m, "rebalance", rebalanceSummary),
});

function rebalanceSummary(m: Record<string, unknown>, key: string): RebalanceSummary {
  const r = obj(m, key);
  return {
    rounds: int(r, "rounds"), moves: int(r, "moves"),
    last: optional(r, "last", (o, k) => {
      const l = obj(o, k);
      return {
        at: int(l, "at"), trigger: str(l, "trigger", 32), epoch: int(l, "epoch"), moves: int(l, "moves"),
        ratioBefore: num(l, "ratioBefore"), ratioAfter: num(l, "ratioAfter"), moved: strings(l, "moved", 4096, 160), explanation: str(l, "explanation", 1024),
      };
    }),
  };
}

function evalResult(m: Record<string, unknown>, key: string): EvalResult {
  const e = obj(m, key);
  return { rows: int(e, "rows"), auc: num(e, "auc"), logloss: num(e, "logloss") };
}

function heldOutEval(m: Record<string, unknown>, key: string): HeldOutEval {
  const e = obj(m, key);
  return {
    rows: int(e, "rows", 1), auc: num(e, "auc"), logloss: num(e, "logloss"), at: int(e, "at"), rowsDone: int(e, "rowsDone"), count: int(e, "count", 1),
  };
}

export const validateJobDone = (m: Record<string, unknown>): JobDone => ({
  v: 1,
  type: "job.done",
  ok: bool(m, "ok"),
  rowsTrained: int(m, "rowsTrained"),
  rowsRepeated: int(m, "rowsRepeated"),
  durationMs: int(m, "durationMs"),
  checkpoint: optional(m, "checkpoint", (o, k) => str(o, k, 4096)),
  eval: optional(m, "eval", evalResult),
  error: optional(m, "error", (o, k) => str(o, k, 8192)),
  endedEarly: optional(m, "endedEarly", (o, k) => str(o, k, 1024)),
});
