/**
 * `colony bench rebalance [--zipf S] [--shards N] [--partitions P] [--json]` (also `npm run bench --
 * rebalance …`): what live rebalancing buys on the CTR workload. One cluster
 * (`examples/ctr.yaml`, N shards, 2 workers, static hash placement, the rebalancer off)
 * trains on Zipf(S) data; per-shard load (rows served per second: rows pulled plus rows
 * applied, from the shards' own counters) and training throughput are measured over a
 * window; then operator rounds (`colony rebalance`) move partitions until the plan says
 * the target is reached (or nothing more helps), the rates settle, and the same window
 * is measured again. Then four rounds at target 1.0 force moves (static hashing may have
 * left nothing to move). The pause a migrating partition imposes on pulls is read from
 * the shards' logs: from the moment the old owner stopped serving it to the moment the
 * new owner served it.
 *
 * Writes bench/results/rebalance-zipf<S>-p<P>.json and .md (with --quick, into
 * bench/tmp/results/) and prints a one-line summary (with --json, the whole record).
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { RebalancePlanReply, StatusReply } from "../protocols/index.js";
import { BenchSetupError } from "./bench-errors.js";
import { GENERATOR } from "./ctr-data.js";
import { ElasticCluster } from "./elastic-cluster.js";
import { detectMachine } from "./machine.js";
import { migrationPauses, type MigrationPause } from "./migration-pauses.js";
import { rebalanceMarkdown, rebalanceSummary, type LoadWindow, type RebalanceRecord } from "./rebalance-report.js";
import { repoRoot } from "./repo-root.js";
import { runStep, lastJsonLine } from "./subprocess.js";

export interface RebalanceBenchOptions {
  readonly zipf: number;
  readonly shards: number;
  /** Partitions the key space hashes into (the config's 256 unless set): fewer make static hashing lumpier. */
  readonly partitions: number;
  readonly quick: boolean;
  readonly json: boolean;
  readonly out?: string;
}

const CONFIG = "examples/ctr.yaml";
const TMP = "bench/tmp";
const HALF_LIFE_MS = 3000;
const MAX_ROUNDS = 6;
const MAX_MOVES = 16;
const TARGET = 1.15;
/** Rounds at target 1.0 after the measurement, so there are moves whose pause can be timed. */
const FORCED_ROUNDS = 4;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rows served per second by each shard, and the cluster's training rate, between two statuses. */
function windowOf(a: StatusReply, b: StatusReply): LoadWindow {
  const seconds = (b.uptimeMs - a.uptimeMs) / 1000;
  const served = (s: StatusReply, id: string): number => {
    const m = s.members.find((x) => x.id === id);
    return (m?.counters["rows.pulled"] ?? 0) + (m?.counters["rows.applied"] ?? 0);
  };
  const shards = b.members.filter((m) => m.kind === "shard").map((m) => m.id).sort();
  const perShard = Object.fromEntries(shards.map((id) => [id, (served(b, id) - served(a, id)) / seconds]));
  const loads = Object.values(perShard);
  const mean = loads.reduce((x, y) => x + y, 0) / Math.max(1, loads.length);
  return {
    seconds, perShard, maxOverMean: mean > 0 ? Math.max(...loads) / mean : 1,
    samplesPerSec: ((b.progress?.rowsDone ?? 0) - (a.progress?.rowsDone ?? 0)) / seconds,
    partitions: { ...b.partitions },
  };
}

/** Runs the benchmark; resolves with its record (also written to the results directory). */
export async function runRebalanceBench(opts: RebalanceBenchOptions, log: (line: string) => void): Promise<RebalanceRecord> {
  const root = repoRoot(path.dirname(fileURLToPath(import.meta.url)));
  if (!existsSync(path.join(root, "dist/bin/colony.js"))) throw new BenchSetupError("dist/bin/colony.js is missing; run `npm run setup` first");
  const machine = detectMachine();
  const rows = opts.quick ? 60_000 : 200_000;
  const windowMs = opts.quick ? 8000 : 15_000;
  const tmp = path.join(root, TMP);
  await mkdir(tmp, { recursive: true });
  const data = path.join(tmp, `ctr-train-${rows}-z${opts.zipf}.tsv`);
  if (!existsSync(data)) {
    log(`generating ${rows} rows with Zipf ${opts.zipf}`);
    const gen = await runStep({
      command: process.execPath, args: [path.resolve(root, GENERATOR), "--rows", String(rows), "--seed", "1", "--zipf", String(opts.zipf), "--out", data],
      cwd: root, timeoutMs: 600_000,
    });
    if (gen.exitCode !== 0) throw new BenchSetupError(`the data generator failed: ${gen.stderrTail.slice(-500)}`);
  }
  const name = `bench-rebal-${opts.shards}`;
  const runDir = path.join(tmp, "run-rebalance");
  await rm(runDir, { recursive: true, force: true });
  const cluster = await ElasticCluster.start({
    root, name, runDir, home: path.join(tmp, "rebalance-home"), config: CONFIG, timeoutMs: 30 * 60_000,
    sets: [
      `job.data.path=${data}`, "job.data.eval=null", "job.epochs=1000", `shards.count=${opts.shards}`, "workers.count=2", `partitions=${opts.partitions}`,
      "rebalance.auto=false", "shards.loadReportMs=500", `shards.loadHalfLifeMs=${HALF_LIFE_MS}`, "supervision.heartbeatTimeoutMs=20000",
    ],
  });
  const started = new Date();
  try {
    const steady = (s: StatusReply): boolean => s.members.filter((m) => m.kind === "shard" && m.state === "serving").length === opts.shards
      && (s.progress?.rowsDone ?? 0) > 0;
    await cluster.waitForStatus("training on every shard", steady, 120_000);
    log("training; letting the rates settle");
    await sleep(3 * HALF_LIFE_MS);
    const b0 = await cluster.status();
    await sleep(windowMs);
    const before = windowOf(b0, await cluster.status());
    log(`before: max/mean ${before.maxOverMean.toFixed(3)}, ${Math.round(before.samplesPerSec)} samples/s`);

    const rounds: RebalanceRecord["rounds"][number][] = [];
    const round = async (target: number, forced: boolean): Promise<boolean> => {
      const r = await cluster.colony(["rebalance", "--cluster", name, "--json", "--target", String(target), "--max-moves", String(MAX_MOVES)], 60_000);
      const plan = lastJsonLine(r.output.stdout) as unknown as (RebalancePlanReply & { executed?: boolean }) | undefined;
      if (!plan) throw new BenchSetupError(`colony rebalance gave no plan: ${r.output.stderrTail.slice(-500)}`);
      const executed = plan.executed === true;
      rounds.push({ target, forced, moves: executed ? plan.moves.length : 0, ratioBefore: plan.ratioBefore, ratioAfter: plan.ratioAfter, verdict: plan.verdict, executed });
      log(`round ${rounds.length} (target ${target}): ${executed ? plan.moves.length : 0} move(s), max/mean ${plan.ratioBefore.toFixed(3)} → ${plan.ratioAfter.toFixed(3)} (${plan.verdict})`);
      // The moved partitions' rates restart on their new owners: wait a few half-lives.
      if (executed) await sleep(3 * HALF_LIFE_MS);
      return executed;
    };
    for (let i = 0; i < MAX_ROUNDS && (await round(TARGET, false)); i++);
    const a0 = await cluster.status();
    await sleep(windowMs);
    const after = windowOf(a0, await cluster.status());
    log(`after: max/mean ${after.maxOverMean.toFixed(3)}, ${Math.round(after.samplesPerSec)} samples/s`);
    // Static hashing may already meet the target (nothing moved): the pause is measured
    // on moves forced with a target no placement meets, under the same training load.
    for (let i = 0; i < FORCED_ROUNDS; i++) await round(1, true);
    const pauses: MigrationPause[] = await migrationPauses(runDir, Object.keys(after.perShard));
    const record: RebalanceRecord = {
      startedAt: started.toISOString(), machine, zipf: opts.zipf, shards: opts.shards, partitions: opts.partitions, rows, windowMs, target: TARGET,
      command: ["colony bench rebalance", "--zipf", String(opts.zipf), "--shards", String(opts.shards), "--partitions", String(opts.partitions),
        ...(opts.quick ? ["--quick"] : [])].join(" "),
      before, after, rounds, pauses,
    };
    const out = opts.out ?? path.join(root, opts.quick ? "bench/tmp/results" : "bench/results");
    await mkdir(out, { recursive: true });
    const base = path.join(out, `rebalance-zipf${opts.zipf}-p${opts.partitions}`);
    await writeFile(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
    await writeFile(`${base}.md`, rebalanceMarkdown(record));
    log(`wrote ${path.relative(root, base)}.json and .md`);
    return record;
  } finally {
    await cluster.down(120_000);
  }
}

/** Parses the command line of `colony bench rebalance`. */
export function parseRebalanceArgs(argv: readonly string[]): RebalanceBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      zipf: { type: "string" }, shards: { type: "string" }, partitions: { type: "string" }, quick: { type: "boolean" }, json: { type: "boolean" }, out: { type: "string" },
    },
  });
  const partitions = Number(values.partitions ?? 256);
  if (!(Number.isInteger(partitions) && partitions >= 2 && partitions <= 4096)) throw new RangeError(`--partitions must be an integer from 2 to 4096, got ${values.partitions}`);
  const zipf = Number(values.zipf ?? 1.1);
  if (!(zipf > 0 && zipf <= 3)) throw new RangeError(`--zipf must be a number in (0, 3], got ${values.zipf}`);
  const shards = Number(values.shards ?? 4);
  if (!(Number.isInteger(shards) && shards >= 2 && shards <= 16)) throw new RangeError(`--shards must be an integer from 2 to 16, got ${values.shards}`);
  return { zipf, shards, partitions, quick: values.quick ?? false, json: values.json ?? false, ...(values.out ? { out: values.out } : {}) };
}

/** Entry point of `colony bench rebalance` and `npm run bench -- rebalance`; resolves with the exit code. */
export async function rebalanceMain(argv: readonly string[]): Promise<number> {
  const opts = parseRebalanceArgs(argv);
  const record = await runRebalanceBench(opts, (line) => { if (!opts.json) process.stderr.write(`bench rebalance: ${line}\n`); });
  process.stdout.write(`${JSON.stringify(opts.json ? { ok: true, summary: rebalanceSummary(record), record } : { ok: true, ...rebalanceSummary(record) })}\n`);
  return 0;
}
