/**
 * Training in one process, no NATS: the model of a job trained over a data file with
 * every parameter in local memory, then scored on a held-out file. It is the figure the
 * cluster is measured against (what distribution costs) and the one compared with the
 * PyTorch peer. Each batch: plan (distinct keys), find or create their rows (RowStore),
 * gather them into the plan's layout, Model.step, then the optimizer's fused row update
 * on the sparse rows and on the dense blocks, all through the kernel interface (gpu/).
 * Same model, same init, same update rules as the cluster; one worker, no staleness.
 */
import { stat } from "node:fs/promises";
import { Backend, KernelsKind, loadKernels } from "../../gpu/index.js";
import { readFileBatches, type DataSpec, denseDimOf, fieldsOf } from "../data/index.js";
import { BinaryMetrics } from "../metrics/index.js";
import { createModel } from "../models/index.js";
import type { OptimizerConfig } from "../optimizers/index.js";
import type { ExampleBatch, ModelKind } from "../types.js";
import { DataFileError } from "./data-file-error.js";
import { ParameterSet } from "./parameter-set.js";

/** What to train, on what, with which kernels. */
export interface InProcessTrainOptions {
  readonly model: ModelKind;
  /** Seed of the parameter initialisation (the cluster config's `seed`). */
  readonly seed: number;
  /** Embedding width; the model's default when absent. */
  readonly embeddingDim?: number;
  readonly spec: DataSpec;
  readonly trainPath: string;
  readonly testPath: string;
  /** Examples per step. */
  readonly batch: number;
  /** Passes over the training file. Default 1. */
  readonly epochs?: number;
  readonly optimizer: OptimizerConfig;
  /** cpu or auto (the native addon); cuda throws BackendUnavailableError until CUDA kernels are built. Default auto. */
  readonly backend?: Backend;
  /** Threads one large native GEMM may use. Default: as loaded (1). */
  readonly threads?: number;
  /** Examples per scoring batch on the test file. Default 8192. */
  readonly evalBatch?: number;
}

/** Mean milliseconds per training batch of each phase. */
export interface PhaseBreakdown {
  /** Reading and parsing the batch (waiting for the reader). */
  readonly read: number;
  /** Distinct keys of the batch (Model.plan). */
  readonly plan: number;
  /** Finding the keys' rows, creating new ones with their initial values. */
  readonly lookup: number;
  /** Copying the rows into the plan's layout (gather kernel, dense blocks). */
  readonly gather: number;
  /** Forward and backward (Model.step). */
  readonly step: number;
  /** Fused optimizer updates of the sparse rows and the dense blocks. */
  readonly optimizer: number;
}

/** What one in-process run measured. */
export interface InProcessTrainResult {
  readonly model: ModelKind;
  readonly kernels: string;
  readonly threads: number | undefined;
  readonly batch: number;
  readonly epochs: number;
  /** Examples trained on (all epochs). */
  readonly trainRows: number;
  readonly testRows: number;
  /** Malformed lines skipped in either file. */
  readonly skippedRows: number;
  readonly batches: number;
  /** Rows of every sparse table created (distinct (table, id) keys seen, test file included). */
  readonly sparseRows: number;
  /** Seconds of the training loop: every phase but read, summed over batches. */
  readonly loopSeconds: number;
  /** Seconds spent reading and parsing the training file. */
  readonly readSeconds: number;
  readonly evalSeconds: number;
  /** Seconds from start to the test AUC: model set-up, reading, training and scoring. */
  readonly totalSeconds: number;
  /** trainRows / loopSeconds: the figure comparable to the peer's (which loads its data before timing). */
  readonly loopSamplesPerSec: number;
  /** trainRows / totalSeconds. */
  readonly e2eSamplesPerSec: number;
  readonly perBatchMs: PhaseBreakdown;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly meanLoss: number;
  readonly testAuc: number;
  readonly testLogLoss: number;
}

const DEFAULT_EVAL_BATCH = 8192;

/** Trains one run in this process and scores it; throws DataFileError for an unusable file. */
export async function trainInProcess(opts: InProcessTrainOptions): Promise<InProcessTrainResult> {
  const started = performance.now();
  await checkDataFile(opts.trainPath);
  await checkDataFile(opts.testPath);
  const epochs = opts.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  const kernels = loadKernels({ backend: opts.backend ?? Backend.Auto, threads: opts.threads });
  const fields = fieldsOf(opts.spec);
  const denseDim = denseDimOf(opts.spec);
  const model = createModel({
    kind: opts.model, seed: opts.seed, fields, denseDim, embeddingDim: opts.embeddingDim,
    kernels: kernels.kind === KernelsKind.Reference ? "ts" : "native",
  });
  const params = new ParameterSet(model, opts.optimizer, kernels, emptyBatch(fields, denseDim));

  const phase = { read: 0, plan: 0, lookup: 0, gather: 0, step: 0, optimizer: 0 };
  let trainRows = 0;
  let skippedRows = 0;
  let batches = 0;
  let firstLoss = NaN;
  let lastLoss = NaN;
  let lossSum = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const stream = readFileBatches(opts.trainPath, opts.spec, opts.batch);
    const batchesOf = stream[Symbol.asyncIterator]();
    for (;;) {
      let t = performance.now();
      const next = await batchesOf.next();
      let now = performance.now();
      phase.read += now - t;
      if (next.done === true) break;
      const batch = next.value;
      t = now;
      const plan = model.plan(batch);
      now = performance.now();
      phase.plan += now - t;
      t = now;
      const sparse = params.lookup(plan);
      now = performance.now();
      phase.lookup += now - t;
      t = now;
      const rows = params.gather(plan, sparse);
      now = performance.now();
      phase.gather += now - t;
      t = now;
      const { loss, grads } = model.step(batch, plan, rows);
      now = performance.now();
      phase.step += now - t;
      t = now;
      params.update(plan, sparse, grads);
      phase.optimizer += performance.now() - t;
      if (!Number.isFinite(loss)) throw new RangeError(`loss is ${loss} at batch ${batches}: the model diverged`);
      if (batches === 0) firstLoss = loss;
      lastLoss = loss;
      lossSum += loss * batch.rows;
      trainRows += batch.rows;
      batches++;
    }
    skippedRows += stream.skipped;
  }
  if (trainRows === 0) throw new DataFileError(opts.trainPath, `no example could be read from ${opts.trainPath} (empty, or every line malformed)`);

  const evalStarted = performance.now();
  const metrics = new BinaryMetrics();
  const test = readFileBatches(opts.testPath, opts.spec, opts.evalBatch ?? DEFAULT_EVAL_BATCH);
  for await (const batch of test) metrics.push(batch.labels, params.predict(batch));
  skippedRows += test.skipped;
  const report = metrics.compute();
  if (report.count === 0) throw new DataFileError(opts.testPath, `no example could be read from ${opts.testPath} (empty, or every line malformed)`);
  const ended = performance.now();

  const loopMs = phase.plan + phase.lookup + phase.gather + phase.step + phase.optimizer;
  const perBatch = (ms: number): number => round(ms / batches, 3);
  return {
    model: opts.model,
    kernels: kernels.kind,
    threads: opts.threads,
    batch: opts.batch,
    epochs,
    trainRows,
    testRows: report.count,
    skippedRows,
    batches,
    sparseRows: params.sparseRows,
    loopSeconds: round(loopMs / 1000, 3),
    readSeconds: round(phase.read / 1000, 3),
    evalSeconds: round((ended - evalStarted) / 1000, 3),
    totalSeconds: round((ended - started) / 1000, 3),
    loopSamplesPerSec: Math.round((trainRows * 1000) / loopMs),
    e2eSamplesPerSec: Math.round((trainRows * 1000) / (ended - started)),
    perBatchMs: {
      read: perBatch(phase.read), plan: perBatch(phase.plan), lookup: perBatch(phase.lookup),
      gather: perBatch(phase.gather), step: perBatch(phase.step), optimizer: perBatch(phase.optimizer),
    },
    firstLoss: round(firstLoss, 5),
    lastLoss: round(lastLoss, 5),
    meanLoss: round(lossSum / trainRows, 5),
    testAuc: round(report.auc, 5),
    testLogLoss: round(report.logLoss, 5),
  };
}

/** A batch of no examples with F fields and D dense features. */
function emptyBatch(fields: number, denseDim: number): ExampleBatch {
  return { rows: 0, fields, denseDim, ids: new Uint32Array(0), dense: new Float32Array(0), labels: new Float32Array(0) };
}

async function checkDataFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "unreadable";
    throw new DataFileError(path, `cannot read data file ${path} (${code}); generate one with node ../shared/bench/gen-ctr.mjs --rows N --seed S --out FILE`, { cause });
  }
  if (!isFile) throw new DataFileError(path, `data file ${path} is not a regular file`);
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
