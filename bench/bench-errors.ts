/**
 * Why a benchmark run stopped. Both are terminal (running again without a change gives
 * the same answer): a missing prerequisite, or a step whose subprocess failed, with the
 * tail of what it wrote so the report says why without digging through files.
 */
import { TerminalError } from "../protocols/index.js";

/** Something the benchmark needs is missing (the data generator, the build, a binary). */
export class BenchSetupError extends TerminalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("bench.setup", message, options);
  }
}

/** A measured step failed: its command exited non-zero, timed out or printed no result. */
export class BenchStepError extends TerminalError {
  constructor(
    readonly step: string,
    readonly exitCode: number | null,
    readonly outputTail: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("bench.step", `${step}: ${message}${outputTail === "" ? "" : `\n--- last output ---\n${outputTail}`}`, options);
  }
}
