/**
 * The benchmark's data: synthetic click-through files from the shared generator
 * (../shared/bench/gen-ctr.mjs, Criteo TSV layout), cached in bench/tmp/ by row count
 * so repeated runs reuse them; the planted model's AUC on the test file (the best any
 * model can reach); and the size of the messages this data makes a worker send, read
 * off the first batches with the workload's own id rule (parseInt(hex, 16) mod 2^20).
 * It knows the workload (shared/bench/README.md), not Colony's code.
 */
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { auc } from "../train/index.js";
import { BenchSetupError, BenchStepError } from "./bench-errors.js";
import { outputTail, runStep } from "./subprocess.js";

/** The generated train and test files. */
export interface CtrData {
  readonly train: string;
  readonly test: string;
  /** The planted click probability of each test row, one per line. */
  readonly testOracle: string;
  readonly trainRows: number;
  readonly testRows: number;
  /** False when every file was already there with the right row count. */
  readonly generated: boolean;
  /** Seconds spent generating (0 when cached). */
  readonly seconds: number;
}

/** Path of the generator, relative to the repo root. */
export const GENERATOR = "../shared/bench/gen-ctr.mjs";
const GENERATOR_TIMEOUT_MS = 30 * 60_000;

/**
 * Makes sure `dir` holds train (`rows` rows, seed 1) and test (rows/5, seed 2, with its
 * oracle) files; generates only what is missing or has the wrong row count.
 * Throws BenchSetupError when the generator is missing.
 */
export async function ensureCtrData(opts: { root: string; dir: string; rows: number; log: (line: string) => void }): Promise<CtrData> {
  const generator = path.resolve(opts.root, GENERATOR);
  const testRows = Math.max(1, Math.floor(opts.rows / 5));
  const train = path.join(opts.dir, `ctr-train-${opts.rows}.tsv`);
  const test = path.join(opts.dir, `ctr-test-${testRows}.tsv`);
  const testOracle = path.join(opts.dir, `ctr-test-${testRows}.oracle`);
  await mkdir(opts.dir, { recursive: true });

  const started = performance.now();
  let generated = false;
  const wanted: [file: string, rows: number, seed: number, oracle?: string][] = [
    [train, opts.rows, 1],
    [test, testRows, 2, testOracle],
  ];
  for (const [file, rows, seed, oracle] of wanted) {
    const ok = (await lineCount(file)) === rows && (oracle === undefined || (await lineCount(oracle)) === rows);
    if (ok) continue;
    if (!existsSync(generator)) {
      throw new BenchSetupError(`the data generator is missing: ${generator} (the benchmark expects the shared workload next to the repo)`);
    }
    opts.log(`generating ${rows.toLocaleString("en-US")} rows (seed ${seed}) into ${path.relative(opts.root, file)}`);
    // Write beside the target and rename, so an interrupted run never leaves a file that looks complete.
    const partial = `${file}.partial`;
    const args = [generator, "--rows", String(rows), "--seed", String(seed), "--out", partial];
    if (oracle !== undefined) args.push("--oracle", `${oracle}.partial`);
    const out = await runStep({ command: process.execPath, args, cwd: opts.root, timeoutMs: GENERATOR_TIMEOUT_MS });
    if (out.exitCode !== 0) {
      await rm(partial, { force: true });
      throw new BenchStepError("generate data", out.exitCode, outputTail(out), `gen-ctr.mjs exited with ${out.exitCode ?? out.signal}`);
    }
    await rename(partial, file);
    if (oracle !== undefined) await rename(`${oracle}.partial`, oracle);
    generated = true;
  }
  return { train, test, testOracle, trainRows: opts.rows, testRows, generated, seconds: generated ? (performance.now() - started) / 1000 : 0 };
}

/** Number of '\n' in a file, or -1 when it doesn't exist. */
async function lineCount(file: string): Promise<number> {
  if (!existsSync(file)) return -1;
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** AUC of the planted click probabilities on the test file: the ceiling for any model. */
export async function oracleAuc(test: string, oracle: string): Promise<number> {
  const labels: number[] = [];
  const scores: number[] = [];
  for await (const line of createInterface({ input: createReadStream(test), crlfDelay: Infinity })) {
    if (line !== "") labels.push(line.charCodeAt(0) === 49 /* "1" */ ? 1 : 0);
  }
  for await (const line of createInterface({ input: createReadStream(oracle), crlfDelay: Infinity })) {
    if (line !== "") scores.push(Number(line));
  }
  if (labels.length !== scores.length) throw new BenchSetupError(`${test} has ${labels.length} rows but ${oracle} has ${scores.length}`);
  return auc(labels, scores);
}

/** What one training batch of this data puts on the wire, for the whole cluster and per shard. */
export interface PayloadEstimate {
  readonly batch: number;
  /** Batches read to estimate (from the start of the train file). */
  readonly batchesSampled: number;
  /** Mean distinct (table, id) keys per batch: the embedding rows pulled and pushed. */
  readonly sparseKeysPerBatch: number;
  /** Floats of the dense MLP, pulled and pushed every batch. */
  readonly denseFloats: number;
  readonly shards: number;
  /** Bytes of rows in one pull reply from one shard (rows/params only; msgpack framing adds little). */
  readonly pullReplyBytesPerShard: number;
  /** Bytes of keys in one pull request to one shard (u32 table + u32 id per key). */
  readonly pullRequestBytesPerShard: number;
  /** Bytes of one push request to one shard: keys plus gradients. */
  readonly pushRequestBytesPerShard: number;
}

/** dlrm-small's layer shapes (shared/bench/README.md): [in, out] per linear layer, 13 dense and 26 categorical columns, k = 16. */
const DLRM_LAYERS: readonly [number, number][] = [[13, 64], [64, 16], [27 * 16, 128], [128, 64], [64, 1]];
const EMBEDDING_DIM = 16;
const FIELDS = 26;
const ID_MODULO = 2 ** 20;

/**
 * Reads the first `batches` batches of the train file and counts the distinct keys each
 * touches; assumes keys and dense blocks spread evenly over the shards (hash partitions).
 */
export async function estimatePayload(train: string, opts: { batch: number; batches: number; shards: number }): Promise<PayloadEstimate> {
  const denseFloats = DLRM_LAYERS.reduce((n, [i, o]) => n + i * o + o, 0);
  const keys = new Set<number>();
  let rowsInBatch = 0;
  let batches = 0;
  let keyTotal = 0;
  const input = createReadStream(train);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const cols = line.split("\t");
    for (let f = 0; f < FIELDS; f++) {
      const hex = cols[14 + f] ?? "";
      // Empty categorical cells still map to a row (id 0), as in the peer.
      const id = hex === "" ? 0 : parseInt(hex, 16) % ID_MODULO;
      keys.add(f * ID_MODULO + id);
    }
    if (++rowsInBatch === opts.batch) {
      keyTotal += keys.size;
      keys.clear();
      rowsInBatch = 0;
      if (++batches === opts.batches) break;
    }
  }
  input.destroy();
  if (batches === 0) throw new BenchSetupError(`${train} has fewer than ${opts.batch} rows: too small to estimate a batch`);
  const sparseKeysPerBatch = keyTotal / batches;
  const perShardKeys = sparseKeysPerBatch / opts.shards;
  const perShardFloats = (sparseKeysPerBatch * EMBEDDING_DIM + denseFloats) / opts.shards;
  return {
    batch: opts.batch,
    batchesSampled: batches,
    sparseKeysPerBatch,
    denseFloats,
    shards: opts.shards,
    pullReplyBytesPerShard: Math.round(perShardFloats * 4),
    pullRequestBytesPerShard: Math.round(perShardKeys * 8),
    pushRequestBytesPerShard: Math.round(perShardKeys * 8 + perShardFloats * 4),
  };
}
