/**
 * Colony's side of the benchmark, run exactly as a user runs it: `colony up` and
 * `colony eval` as subprocesses of the built CLI (dist/bin/colony.js), timed from spawn
 * to exit. While `up` runs, this module listens on the cluster's heartbeat subject (the
 * supervisor logs the NATS URL on stderr) and keeps each actor's latest counters; from
 * the workers' counters it derives the steady training-loop rate and where a worker's
 * time goes (pull, compute, push, the rest). That part is best effort: when it can't
 * connect, the run still counts and the breakdown says why it is missing.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeMessage, subjects } from "../protocols/index.js";
import { BenchStepError } from "./bench-errors.js";
import { lastJsonLine, outputTail, runStep } from "./subprocess.js";

/** The JSON line `colony up --json` ends with. */
export interface UpResult {
  readonly ok: boolean;
  readonly cluster: string;
  readonly rows: number;
  readonly rowsRepeated: number;
  /** The coordinator's job time: cutting tasks, training, checkpoint and held-out eval. */
  readonly seconds: number;
  readonly checkpoint?: string;
  readonly auc?: number;
  readonly logloss?: number;
  readonly evalRows?: number;
  readonly error?: string;
}

/** Latest counters of one actor, from its heartbeats. */
export interface ActorCounters {
  readonly id: string;
  readonly kind: string;
  readonly counters: Record<string, number>;
}

/** What the heartbeats showed, or why there is nothing. */
export type HeartbeatSummary =
  | {
      readonly available: true;
      readonly actors: readonly ActorCounters[];
      /**
       * Workers' rows trained per second between the first heartbeat that showed
       * training and the first that showed the final count (±1 heartbeat period at each end).
       */
      readonly loopSamplesPerSec: number;
      readonly loopSeconds: number;
      readonly loopRows: number;
      /**
       * Sum over workers of each one's rate between its own first heartbeat that showed
       * training and its last one before its final count: both ends inside the loop, so
       * no heartbeat period of idling is counted. Undefined when a worker had fewer than
       * two such heartbeats or was restarted (its counters went back).
       */
      readonly steadySamplesPerSec: number | undefined;
    }
  | { readonly available: false; readonly reason: string };

/** One `colony up` run. */
export interface ColonyUpRun {
  readonly command: string;
  readonly result: UpResult;
  /** Seconds from spawn to exit of the whole command. */
  readonly wallSeconds: number;
  readonly heartbeats: HeartbeatSummary;
}

/** One `colony eval` run. */
export interface ColonyEvalRun {
  readonly command: string;
  readonly rows: number;
  readonly auc: number;
  readonly logloss: number;
  readonly wallSeconds: number;
}

/** Runs `colony up` on the given data; throws BenchStepError unless it exits 0 with ok: true. */
export async function runColonyUp(opts: {
  root: string;
  config: string;
  runDir: string;
  train: string;
  test: string;
  timeoutMs: number;
  stderrFile: string;
  /** Further `--set PATH=VALUE` overrides. */
  set?: readonly string[];
  /** Called with the pid of the `colony up` process once it is spawned. */
  onSpawn?: (pid: number) => void;
  /** Called with each heartbeat's actor and counters as it arrives. */
  onHeartbeat?: (actor: ActorCounters) => void;
}): Promise<ColonyUpRun> {
  const args = [
    "dist/bin/colony.js", "up", opts.config, "--run-dir", opts.runDir,
    "--set", `job.data.path=${opts.train}`, "--set", `job.data.eval=${opts.test}`, "--json",
    ...(opts.set ?? []).flatMap((s) => ["--set", s]),
  ];
  const watch = new HeartbeatWatch(opts.onHeartbeat);
  const out = await runStep({
    command: process.execPath, args, cwd: opts.root, timeoutMs: opts.timeoutMs, stderrFile: opts.stderrFile,
    onStderrLine: (line) => watch.onSupervisorLog(line), ...(opts.onSpawn !== undefined ? { onSpawn: opts.onSpawn } : {}),
  });
  const heartbeats = await watch.stop();
  const command = `node ${args.join(" ")}`;
  const line = lastJsonLine(out.stdout);
  if (out.timedOut) throw new BenchStepError("colony up", out.exitCode, outputTail(out), `still running after ${opts.timeoutMs / 1000} s; stopped`);
  if (line === undefined) throw new BenchStepError("colony up", out.exitCode, outputTail(out), "printed no JSON result line");
  const result = line as unknown as UpResult;
  if (out.exitCode !== 0 || result.ok !== true) {
    throw new BenchStepError("colony up", out.exitCode, outputTail(out), `job failed: ${result.error ?? `exit ${out.exitCode}`}`);
  }
  return { command, result, wallSeconds: out.wallSeconds, heartbeats };
}

/** Runs `colony eval` on a checkpoint; throws BenchStepError unless it prints {rows, auc, logloss}. */
export async function runColonyEval(opts: { root: string; checkpoint: string; data: string; timeoutMs: number }): Promise<ColonyEvalRun> {
  const args = ["dist/bin/colony.js", "eval", "--checkpoint", opts.checkpoint, "--data", opts.data];
  const out = await runStep({ command: process.execPath, args, cwd: opts.root, timeoutMs: opts.timeoutMs });
  const line = lastJsonLine(out.stdout);
  if (out.exitCode !== 0 || line === undefined || typeof line["auc"] !== "number") {
    throw new BenchStepError("colony eval", out.exitCode, outputTail(out), out.timedOut ? "timed out" : "no {rows, auc, logloss} result");
  }
  return {
    command: `node ${args.join(" ")}`,
    rows: Number(line["rows"]),
    auc: line["auc"],
    logloss: Number(line["logloss"]),
    wallSeconds: out.wallSeconds,
  };
}

/** Follows the supervisor's log for the NATS URL, then the cluster's heartbeats. */
class HeartbeatWatch {
  #nc: NatsConnection | undefined;
  #connecting: Promise<void> | undefined;
  #failure: string | undefined;
  readonly #latest = new Map<string, ActorCounters>();
  /** Time and total rows trained of the first worker heartbeat that showed training. */
  #first: { t: number; rows: number } | undefined;
  /** Time the total rows trained last grew, and to what. */
  #last: { t: number; rows: number } | undefined;
  /** Every heartbeat of each worker: (time received, its rows trained). */
  readonly #perWorker = new Map<string, { t: number; rows: number }[]>();
  readonly #onHeartbeat: ((actor: ActorCounters) => void) | undefined;

  constructor(onHeartbeat?: (actor: ActorCounters) => void) {
    this.#onHeartbeat = onHeartbeat;
  }

  onSupervisorLog(line: string): void {
    if (this.#connecting !== undefined || !line.startsWith("{")) return;
    let record: { msg?: unknown; url?: unknown; cluster?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }
    if (record.msg !== "nats ready" || typeof record.url !== "string" || typeof record.cluster !== "string") return;
    this.#connecting = this.#follow(record.url, record.cluster).catch((err: unknown) => {
      this.#failure = `could not follow heartbeats: ${err instanceof Error ? err.message : String(err)}`;
    });
  }

  async #follow(url: string, cluster: string): Promise<void> {
    const nc = await connect({ servers: url, name: "colony-bench-watch", maxReconnectAttempts: 0 });
    this.#nc = nc;
    nc.subscribe(subjects.heartbeat(cluster), {
      callback: (err, msg) => {
        if (err !== null) return;
        try {
          const beat = decodeMessage(msg.data, ["ctl.heartbeat"]);
          this.#take({ id: beat.actor.id, kind: beat.actor.kind, counters: beat.counters });
        } catch {
          // A heartbeat this version can't read is not worth failing the benchmark for.
        }
      },
    });
  }

  #take(actor: ActorCounters): void {
    this.#latest.set(actor.id, actor);
    this.#onHeartbeat?.(actor);
    if (actor.kind !== "worker") return;
    let rows = 0;
    for (const a of this.#latest.values()) if (a.kind === "worker") rows += a.counters["rows.trained"] ?? 0;
    const t = performance.now();
    const own = this.#perWorker.get(actor.id) ?? [];
    own.push({ t, rows: actor.counters["rows.trained"] ?? 0 });
    this.#perWorker.set(actor.id, own);
    if (rows > 0 && this.#first === undefined) this.#first = { t, rows };
    if (rows > (this.#last?.rows ?? 0)) this.#last = { t, rows };
  }

  /** Closes the connection (the cluster is gone by now) and summarises. */
  async stop(): Promise<HeartbeatSummary> {
    await this.#connecting;
    await this.#nc?.close().catch(() => undefined);
    if (this.#failure !== undefined) return { available: false, reason: this.#failure };
    if (this.#connecting === undefined) return { available: false, reason: "the supervisor never logged a 'nats ready' line with a URL" };
    const first = this.#first;
    const last = this.#last;
    if (first === undefined || last === undefined || last.t <= first.t) {
      return { available: false, reason: "too few worker heartbeats during training to time the loop" };
    }
    const loopSeconds = (last.t - first.t) / 1000;
    const loopRows = last.rows - first.rows;
    return {
      available: true,
      actors: [...this.#latest.values()].sort((a, b) => a.id.localeCompare(b.id)),
      loopSamplesPerSec: loopRows / loopSeconds,
      loopSeconds,
      loopRows,
      steadySamplesPerSec: this.#steadyRate(),
    };
  }

  #steadyRate(): number | undefined {
    let total = 0;
    for (const beats of this.#perWorker.values()) {
      if (beats.some((b, i) => i > 0 && b.rows < beats[i - 1]!.rows)) return undefined;
      const final = beats.at(-1)?.rows ?? 0;
      const first = beats.find((b) => b.rows > 0);
      const last = beats.filter((b) => b.rows < final).at(-1);
      if (!first || !last || last.t <= first.t) return undefined;
      total += (last.rows - first.rows) / ((last.t - first.t) / 1000);
    }
    return this.#perWorker.size > 0 ? total : undefined;
  }
}

/** Where the workers' time went and what they sent, from their counters. */
export interface WorkerBreakdown {
  readonly workers: number;
  readonly batches: number;
  /** Mean per batch, milliseconds. */
  readonly pullMsPerBatch: number;
  readonly computeMsPerBatch: number;
  readonly pushMsPerBatch: number;
  /** Fractions of the workers' summed pull + compute + push time. */
  readonly pullShare: number;
  readonly computeShare: number;
  readonly pushShare: number;
  /** Keys (embedding rows and dense blocks) pulled per batch, all shards together. */
  readonly keysPulledPerBatch: number;
  /** Keys pulled per second while a worker waits on pulls (one worker's view, mean over workers). */
  readonly pullKeysPerSecWhilePulling: number;
}

/** Sums the workers' time and row counters; undefined when no worker reported a batch. */
export function workerBreakdown(actors: readonly ActorCounters[]): WorkerBreakdown | undefined {
  const workers = actors.filter((a) => a.kind === "worker");
  const sum = (name: string): number => workers.reduce((n, w) => n + (w.counters[name] ?? 0), 0);
  const batches = sum("batches");
  const pull = sum("time.pull_ms");
  const compute = sum("time.compute_ms");
  const push = sum("time.push_ms");
  const busy = pull + compute + push;
  if (batches === 0 || busy === 0) return undefined;
  const keys = sum("rows.pulled");
  return {
    workers: workers.length,
    batches,
    pullMsPerBatch: pull / batches,
    computeMsPerBatch: compute / batches,
    pushMsPerBatch: push / batches,
    pullShare: pull / busy,
    computeShare: compute / busy,
    pushShare: push / busy,
    keysPulledPerBatch: keys / batches,
    pullKeysPerSecWhilePulling: pull === 0 ? 0 : keys / (pull / 1000),
  };
}
