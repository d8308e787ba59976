/**
 * The benchmark's in-process step: `colony bench train --json` (the job's model trained
 * in one process, no NATS, native kernels) on the same files as the cluster and the peer,
 * run through the built CLI like every other step, timed from spawn to exit.
 */
import type { InProcessTrainResult } from "../train/index.js";
import { BenchStepError } from "./bench-errors.js";
import { lastJsonLine, outputTail, runStep } from "./subprocess.js";

/** What `colony bench train --json` printed, plus the command and its wall time. */
export interface InProcessRun {
  readonly command: string;
  readonly result: InProcessTrainResult;
  /** Seconds from spawn to exit (Node start-up included), as the peer's wall time is taken. */
  readonly wallSeconds: number;
  /** trainRows / wallSeconds: comparable with the peer's e2eSamplesPerSec. */
  readonly e2eSamplesPerSec: number;
}

/** Runs `colony bench train` on the files; throws BenchStepError when it fails. */
export async function runInProcessTrain(opts: {
  root: string; config: string; train: string; test: string; threads: number; timeoutMs: number;
}): Promise<InProcessRun> {
  const args = [
    "dist/bin/colony.js", "bench", "train", "--config", opts.config, "--data", opts.train, "--test", opts.test,
    "--threads", String(opts.threads), "--json",
  ];
  const out = await runStep({ command: process.execPath, args, cwd: opts.root, timeoutMs: opts.timeoutMs });
  const line = lastJsonLine(out.stdout);
  if (out.exitCode !== 0 || line === undefined || typeof line["loopSamplesPerSec"] !== "number") {
    throw new BenchStepError("colony bench train", out.exitCode, outputTail(out), out.timedOut ? "timed out" : "no JSON result line");
  }
  const result = line as unknown as InProcessTrainResult;
  return { command: `node ${args.join(" ")}`, result, wallSeconds: out.wallSeconds, e2eSamplesPerSec: result.trainRows / out.wallSeconds };
}
