/**
 * The coordinator's periodic look at model quality while a job trains: it reads the
 * first `rows` rows of the held-out file once, and on each evaluation pulls the rows
 * they touch from the shards exactly as a worker does (same ShardClient, same routing,
 * redirects and retries), predicts, and scores AUC and log loss. Nothing is written:
 * an evaluation reads the parameters the shards hold at that moment, so it sees what
 * async training has applied so far. Its pulls count in the shards' load like any other.
 *
 * Boundary: this module scores; when to score, and where the result goes (job.progress,
 * then Prometheus and `colony status`), is the coordinator's business.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { TerminalError, type HeldOutEval, type PartitionMap } from "../../protocols/index.js";
import { auc, logLoss, readFileBatches, type BatchPlan, type DataSpec, type ExampleBatch, type Model } from "../../train/index.js";
import type { Counters } from "../runtime/counters.js";
import { ShardClient } from "../runtime/shard-client.js";

/** The held-out file cannot be scored (no rows, or a single class): evaluations stay off for this job. */
export class HeldOutSliceError extends TerminalError {
  constructor(message: string) {
    super("eval.bad_slice", message);
  }
}

/** The first `rows` readable rows of `path` as one batch; throws HeldOutSliceError when they cannot give an AUC (none, or one class only). */
export async function readHeldOutSlice(path: string, spec: DataSpec, rows: number): Promise<ExampleBatch> {
  let slice: ExampleBatch | undefined;
  for await (const b of readFileBatches(path, spec, rows)) {
    slice = b;
    break;
  }
  if (!slice || slice.rows === 0) throw new HeldOutSliceError(`held-out file ${path} has no readable rows`);
  const positives = slice.labels.reduce((n, y) => n + (y > 0.5 ? 1 : 0), 0);
  if (positives === 0 || positives === slice.rows) {
    throw new HeldOutSliceError(`the first ${slice.rows} rows of ${path} hold one class only: no AUC; raise observability.evalRows`);
  }
  return slice;
}

export class HeldOutEvaluator {
  readonly #client: ShardClient;
  readonly #model: Model;
  readonly #batch: ExampleBatch;
  readonly #plan: BatchPlan;
  #count = 0;

  private constructor(client: ShardClient, model: Model, batch: ExampleBatch) {
    this.#client = client;
    this.#model = model;
    this.#batch = batch;
    // The slice never changes, so neither do its keys: plan once, pull the same keys each time.
    this.#plan = model.plan(batch);
  }

  /** Reads the first `rows` rows of `path` (readHeldOutSlice) and scores through its own shard client. */
  static async open(opts: {
    nc: NatsConnection; cluster: string; model: Model; spec: DataSpec; path: string; rows: number;
    log: Logger; counters: Counters; pullTimeoutMs: number; maxPayload: number;
  }): Promise<HeldOutEvaluator> {
    const slice = await readHeldOutSlice(opts.path, opts.spec, opts.rows);
    const client = new ShardClient({
      nc: opts.nc, cluster: opts.cluster, model: opts.model, log: opts.log, counters: opts.counters,
      pullTimeoutMs: opts.pullTimeoutMs, maxPayload: opts.maxPayload,
    });
    return new HeldOutEvaluator(client, opts.model, slice);
  }

  /** Rows in the slice. */
  get rows(): number {
    return this.#batch.rows;
  }

  /** Takes a newer partition map (older ones are ignored). */
  setMap(map: PartitionMap): void {
    this.#client.setMap(map);
  }

  /** Pulls the slice's rows from the shards now and scores them; `rowsDone` is recorded with the result. */
  async evaluate(rowsDone: number, clock: { now(): number } = Date): Promise<HeldOutEval> {
    const at = clock.now();
    const { params } = await this.#client.pull(this.#plan);
    const p = this.#model.predict(this.#batch, this.#plan, params);
    return { rows: this.#batch.rows, auc: auc(this.#batch.labels, p), logloss: logLoss(this.#batch.labels, p), at, rowsDone, count: ++this.#count };
  }
}
