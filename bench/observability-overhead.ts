/**
 * `npm run bench -- observability`: what metrics and tracing cost. The same job
 * (`examples/ctr.yaml`, 2 shards, 2 workers) runs in rounds of three settings
 * (observability-run.ts): off; on (the Prometheus endpoint scraped every second, traces
 * to file at the default sampling, 0.01, the held-out evaluation at its default, off);
 * and on+eval (on, plus the held-out evaluation every 5 s). The clusters of a round run
 * side by side, at the same time (which one starts first rotates), so that whatever else
 * loads this shared machine loads them alike; `--back-to-back` runs them one after the
 * other instead.
 *
 * The verdict on the floor (issue 8: under 5% of throughput lost with tracing and
 * metrics on at the default sampling) comes from "on" vs off, by the CPU the cluster
 * spends per row trained inside the training loop (loop-cpu.ts), over the seconds all
 * loops of the round ran: on a cluster whose processes keep the cores busy, throughput
 * is cores / (CPU per row), so the fraction lost is 1 − (CPU per row off) / (CPU per row
 * on). Per round that fraction is taken; the answer is its mean with a paired-bootstrap
 * 95% interval and its median with the sign-test interval (loss-estimate.ts): met when
 * both intervals lie below 5%, missed when both lie above, otherwise not resolved.
 * on+eval vs off is reported the same way. Wall-clock throughput (1 − on/off of the
 * steady loop rate) and the whole job's CPU are reported beside it, with the in-process
 * cost of the instrumentation (instrumentation-cost.ts).
 *
 * Writes bench/results/observability-overhead.json and .md (with --quick into
 * bench/tmp/results/) and prints a one-line summary on stdout; progress on stderr.
 * Flags: --pairs N (rounds; default 10; --quick 2), --rows N (default 100,000; --quick
 * 30,000), --back-to-back, --quick, --out DIR; --pool A.json,B.json instead pools the
 * rounds of recorded runs into one record (observability-pool.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BenchSetupError } from "./bench-errors.js";
import { ensureCtrData } from "./ctr-data.js";
import { measureInstrumentationCost } from "./instrumentation-cost.js";
import { detectMachine } from "./machine.js";
import { compare, cpuPerRow, FLOOR_LOST, lostFromCost } from "./observability-compare.js";
import { poolRecords } from "./observability-pool.js";
import { observabilityMarkdown, type OverheadRecord, type PairSample } from "./observability-report.js";
import type { LoopCpu } from "./loop-cpu.js";
import { runObservabilityOnce, Setting, type ObservedRun, type RunSample } from "./observability-run.js";
import { ProcessRole, ProcessTreeCpu } from "./process-tree-cpu.js";
import { repoRoot } from "./repo-root.js";

const TMP = "bench/tmp";

/** Each run's loop CPU over the seconds all the runs' loops ran (each run's own loop where they do not all overlap). */
function sharedWindows(runs: readonly ObservedRun[]): LoopCpu[] {
  const loops = runs.map((r) => r.sample.loopCpu);
  const from = Math.max(...loops.map((l) => (l.available ? l.from : Infinity)));
  const to = Math.min(...loops.map((l) => (l.available ? l.to : -Infinity)));
  if (!(to > from)) return loops;
  return runs.map((r) => r.loopCpuWithin({ from, to }));
}

function jobCpuPerRow(s: RunSample): number | undefined {
  return s.jobCpu === undefined || s.jobCpu.rows === 0 ? undefined : s.jobCpu.cpuSeconds / s.jobCpu.rows;
}

/** Each role's extra CPU per row with observability on, as a fraction of the whole cluster's CPU per row off. */
function extraByRole(off: LoopCpu, on: LoopCpu): Record<ProcessRole, number> | undefined {
  if (!off.available || !on.available) return undefined;
  const offTotal = off.cpuSeconds / off.rows;
  return Object.fromEntries(Object.values(ProcessRole).map((r) => [r, (on.cpuSecondsByRole[r] / on.rows - off.cpuSecondsByRole[r] / off.rows) / offTotal])) as Record<ProcessRole, number>;
}

/** Runs one after another, settled like Promise.allSettled. */
async function inTurn<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const settled: PromiseSettledResult<R>[] = [];
  for (const item of items) {
    try {
      settled.push({ status: "fulfilled", value: await run(item) });
    } catch (reason) {
      settled.push({ status: "rejected", reason });
    }
  }
  return settled;
}

/** Runs the overhead benchmark and records its result. */
export async function observabilityMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { pairs: { type: "string" }, rows: { type: "string" }, quick: { type: "boolean" }, "back-to-back": { type: "boolean" }, pool: { type: "string" }, out: { type: "string" } } });
  const backToBack = values["back-to-back"] ?? false;
  if (values.pool !== undefined) {
    const root = repoRoot(fileURLToPath(import.meta.url));
    const record = await poolRecords(values.pool.split(",").map((f) => path.resolve(f)));
    const command = `${record.command}; pooled: npm run bench -- observability --pool ${values.pool}`;
    return writeRecord({ ...record, command }, path.resolve(root, values.out ?? "bench/results"));
  }
  const quick = values.quick ?? false;
  const rounds = Number(values.pairs ?? (quick ? 2 : 10));
  const rows = Number(values.rows ?? (quick ? 30_000 : 100_000));
  if (!Number.isInteger(rounds) || rounds < 1) throw new BenchSetupError(`--pairs must be a positive integer, got ${values.pairs}`);
  if (!Number.isInteger(rows) || rows < 10_000) throw new BenchSetupError(`--rows must be an integer >= 10000, got ${values.rows}`);
  const root = repoRoot(fileURLToPath(import.meta.url));
  const out = path.resolve(root, values.out ?? (quick ? `${TMP}/results` : "bench/results"));
  const log = (l: string): void => { process.stderr.write(`bench: ${l}\n`); };
  const tree = new ProcessTreeCpu();
  if (!tree.available) throw new BenchSetupError("the CPU measure reads /proc: run this benchmark on Linux");
  const data = await ensureCtrData({ root, dir: path.join(root, TMP, "data"), rows, log });
  const machineBefore = detectMachine();

  const settings = Object.values(Setting);
  const compared = settings.filter((s) => s !== Setting.Off);
  const pairsBySetting = new Map<Setting, PairSample[]>(compared.map((s) => [s, []]));
  const loads: number[] = [machineBefore.loadAverage1m];
  const failedRounds: { round: number; reason: string }[] = [];
  for (let i = 0; i < rounds; i++) {
    // Rotate which setting starts first, so none is always the one that starts on a quieter machine.
    const order = [...settings.slice(i % settings.length), ...settings.slice(0, i % settings.length)];
    const once = (setting: Setting): Promise<ObservedRun> =>
      runObservabilityOnce({ root, tmp: TMP, setting, cluster: `obs-${setting.replace("+", "-")}-${process.pid}`, data, tree, log });
    // Side by side: every cluster of the round shares the cores with whatever else runs during the same seconds.
    const settled = backToBack ? await inTurn(order, once) : await Promise.allSettled(order.map(once));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed !== undefined) {
      // One failed job (a shared machine can starve it) loses its round, not the benchmark.
      const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      failedRounds.push({ round: i + 1, reason });
      log(`round ${i + 1}/${rounds} left out: ${reason.split("\n")[0]}`);
      continue;
    }
    const runs = settled.map((r) => (r as PromiseFulfilledResult<ObservedRun>).value);
    const windows = backToBack ? runs.map((r) => r.sample.loopCpu) : sharedWindows(runs);
    const bySetting = new Map(order.map((s, k) => [s, { run: runs[k]!, cpu: windows[k]! }]));
    const load = detectMachine().loadAverage1m;
    loads.push(load);
    const off = bySetting.get(Setting.Off)!;
    const pct = (x: number | undefined): string => (x === undefined ? "?" : `${(x * 100).toFixed(1)}%`);
    for (const setting of compared) {
      const on = bySetting.get(setting)!;
      const pair: PairSample = {
        pair: i + 1, order: order.join(", "), off: off.run.sample, on: on.run.sample, loadAverage1m: load, offLoopCpu: off.cpu, onLoopCpu: on.cpu,
        lostWall: 1 - on.run.sample.samplesPerSec / off.run.sample.samplesPerSec,
        lostLoopCpu: lostFromCost(cpuPerRow(off.cpu), cpuPerRow(on.cpu)),
        lostJobCpu: lostFromCost(jobCpuPerRow(off.run.sample), jobCpuPerRow(on.run.sample)),
        extraByRole: extraByRole(off.cpu, on.cpu),
      };
      pairsBySetting.get(setting)!.push(pair);
      const roles = pair.extraByRole === undefined ? "" : ` (${Object.entries(pair.extraByRole).filter(([, x]) => Math.abs(x) >= 0.005).map(([r, x]) => `${r} ${pct(x)}`).join(", ")})`;
      log(`round ${i + 1}/${rounds}, ${setting} vs off: lost ${pct(pair.lostLoopCpu)} by loop CPU per row${roles}, ${pct(pair.lostJobCpu)} by job CPU per row, ${pct(pair.lostWall)} by wall-clock (load ${load})`);
    }
  }
  const comparisons = compared.map((s) => compare(s, pairsBySetting.get(s)!));
  const main = comparisons.find((c) => c.setting === Setting.On)!;
  log("measuring the in-process cost of step spans, histograms and a scrape");
  const cost = await measureInstrumentationCost();
  // A worker step's time in these runs: each of the 2 workers trains 2048-row batches (examples/ctr.yaml).
  const stepMs = (2 * 2048 * 1000) / main.medianOffSamplesPerSec;
  const record: OverheadRecord = {
    benchmark: "observability-overhead", date: new Date().toISOString(), machine: detectMachine(), loadAverage1mAtStart: machineBefore.loadAverage1m,
    loadAverage1mRange: [Math.min(...loads), Math.max(...loads)], rows, rounds,
    pairing: backToBack ? "back-to-back" : "side-by-side",
    method: `rounds of one run per setting (off, on, on+eval), ${backToBack ? "back to back" : "side by side (all clusters at once)"}, start order rotating; `
      + "per round and setting, lost = 1 - (CPU-seconds per trained row off)/(setting) of the whole cluster's process tree inside the training loop"
      + `${backToBack ? "" : " over the seconds all loops of the round ran"}; mean with a paired-bootstrap 95% interval and median with its sign-test interval; met only when both intervals lie below the floor`,
    command: `npm run bench -- observability --pairs ${rounds} --rows ${rows}${backToBack ? " --back-to-back" : ""}`,
    comparisons, failedRounds,
    instrumentation: cost, stepMs, tracingShareOfStep: (cost.stepSpansOnUs - cost.stepSpansOffUs) / 1000 / stepMs, histogramsShareOfStep: cost.stepHistogramsUs / 1000 / stepMs,
    floorLostFraction: FLOOR_LOST, verdict: main.verdict,
  };
  await writeRecord(record, out);
}

/** Writes the record's JSON and markdown into `out` and prints the one-line summary. */
async function writeRecord(record: OverheadRecord, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, "observability-overhead.json"), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(out, "observability-overhead.md"), observabilityMarkdown(record));
  const p1 = (x: number): number => Math.round(x * 1000) / 10;
  process.stdout.write(`${JSON.stringify(Object.fromEntries(record.comparisons.map((c) => [c.setting, {
    verdict: c.verdict, lostLoopCpuMeanPercent: p1(c.loopCpu.mean.mean), lostLoopCpuIntervalPercent: [p1(c.loopCpu.mean.low), p1(c.loopCpu.mean.high)],
    lostLoopCpuMedianPercent: p1(c.loopCpu.median.median), lostLoopCpuSignTestPercent: [p1(c.loopCpu.median.low), p1(c.loopCpu.median.high)],
    lostOwnLoopCpuMeanPercent: p1(c.loopCpuOwnWindow.mean.mean), lostOwnLoopCpuIntervalPercent: [p1(c.loopCpuOwnWindow.mean.low), p1(c.loopCpuOwnWindow.mean.high)],
    lostOwnLoopCpuSignTestPercent: [p1(c.loopCpuOwnWindow.median.low), p1(c.loopCpuOwnWindow.median.high)], lostJobCpuMeanPercent: p1(c.jobCpu.mean.mean), lostWallMedianPercent: p1(c.wall.median.median), lostWallSignTestPercent: [p1(c.wall.median.low), p1(c.wall.median.high)],
  }])))}\n`);
}
