/** `colony eval --checkpoint DIR --data FILE`: scores a checkpoint on a data file, no cluster needed. */
import { evaluateCheckpoint } from "../train/index.js";

export interface EvalArgs { readonly checkpoint: string; readonly data: string; readonly batch: number }

/** Prints one JSON line {rows, auc, logloss}; resolves with the exit code. */
export async function evalCommand(args: EvalArgs): Promise<number> {
  const r = await evaluateCheckpoint(args.checkpoint, args.data, { batch: args.batch });
  process.stdout.write(`${JSON.stringify({ rows: r.rows, auc: r.auc, logloss: r.logloss })}\n`);
  return 0;
}
