/**
 * `colony bench train --data FILE --test FILE [--backend cpu|cuda|auto] [--json]
 * [--config CONFIG] [--threads N]`: trains the configured job's model for its epochs in
 * this one process (no NATS, no actors) on the native kernels, scores it on the test
 * file, and prints the training loop's samples/s, the end-to-end samples/s and the test
 * AUC (one JSON line with --json). The config (default examples/ctr.yaml) gives the
 * model, optimizer, batch, epochs, seed and data format; --data and --test replace its
 * data files.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend } from "../gpu/index.js";
import { loadConfig, type ClusterConfig } from "../supervisor/index.js";
import { trainInProcess, type DataSpec, type InProcessTrainResult } from "../train/index.js";

/** The config used when none is given: the benchmark workload. */
export const DEFAULT_BENCH_CONFIG = fileURLToPath(new URL("../../examples/ctr.yaml", import.meta.url));

export interface BenchTrainArgs {
  readonly data: string;
  readonly test: string;
  readonly backend: Backend;
  readonly json: boolean;
  readonly config: string;
  /** Threads of a large GEMM; default: the cores this process may use. */
  readonly threads: number | undefined;
}

/** Runs the in-process training and prints its result; resolves with the exit code. */
export async function benchTrainCommand(args: BenchTrainArgs): Promise<number> {
  const data = path.resolve(args.data);
  const test = path.resolve(args.test);
  const config = await loadConfig(args.config, [`job.data.path=${data}`, `job.data.eval=${test}`]);
  const threads = args.threads ?? Math.min(64, availableParallelism());
  const result = await trainInProcess({
    model: config.job.model,
    seed: config.seed,
    embeddingDim: config.job.embeddingDim,
    spec: dataSpecOf(config),
    trainPath: data,
    testPath: test,
    batch: config.job.batch,
    epochs: config.job.epochs,
    optimizer: config.job.optimizer,
    backend: args.backend,
    threads,
  });
  const line = { command: "bench train", config: path.relative(process.cwd(), args.config) || args.config, ...result };
  process.stdout.write(args.json ? `${JSON.stringify(line)}\n` : humanReadable(result));
  return 0;
}

/** How a job's data section reads as a DataSpec. */
function dataSpecOf(config: ClusterConfig): DataSpec {
  const d = config.job.data;
  if (d.format === "criteo") return { format: "criteo", idModulo: d.idModulo };
  // The config schema requires a label for csv; this only narrows the type.
  if (d.label === undefined) throw new RangeError("job.data.label is required for csv data");
  return {
    format: "csv", label: d.label, categorical: [...d.categorical], numeric: [...d.numeric], bucketize: d.bucketize, delimiter: d.delimiter,
  };
}

function humanReadable(r: InProcessTrainResult): string {
  const n = (x: number): string => Math.round(x).toLocaleString("en-US");
  const ms = r.perBatchMs;
  return [
    `${r.model}, ${r.kernels} kernels, ${r.threads ?? 1} GEMM thread(s), batch ${r.batch}, ${r.epochs} epoch(s), ${n(r.trainRows)} train rows, ${n(r.testRows)} test rows`,
    `training loop: ${n(r.loopSamplesPerSec)} samples/s (${r.loopSeconds} s)`,
    `end to end:    ${n(r.e2eSamplesPerSec)} samples/s (${r.totalSeconds} s: read ${r.readSeconds} s, score ${r.evalSeconds} s)`,
    `test AUC:      ${r.testAuc.toFixed(4)} (log loss ${r.testLogLoss.toFixed(4)}; train loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)})`,
    `per batch, ms: read ${ms.read}, plan ${ms.plan}, lookup ${ms.lookup}, gather ${ms.gather}, step ${ms.step}, optimizer ${ms.optimizer}`,
    "",
  ].join("\n");
}
