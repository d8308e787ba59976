/**
 * `npm run bench -- observability --pool A.json,B.json`: one record from the rounds of
 * recorded runs of the observability benchmark (same job, same settings), estimated
 * again with the current code (observability-compare.ts). With one file it re-renders
 * that run. The machine is the last run's; the load range spans all of them; the
 * in-process costs are the last run's.
 */
import { readFile } from "node:fs/promises";
import { BenchSetupError } from "./bench-errors.js";
import { compare, FLOOR_LOST } from "./observability-compare.js";
import type { OverheadRecord, PairSample } from "./observability-report.js";
import type { Setting } from "./observability-run.js";

/** The pooled record of the runs recorded in `files`, rounds numbered on in file order. */
export async function poolRecords(files: readonly string[]): Promise<OverheadRecord> {
  const records = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, "utf8")) as OverheadRecord));
  const last = records.at(-1);
  if (last === undefined) throw new BenchSetupError("--pool needs at least one recorded observability-overhead.json");
  if (records.some((r) => r.benchmark !== "observability-overhead" || r.rows !== last.rows || r.pairing !== last.pairing || !Array.isArray(r.comparisons))) {
    throw new BenchSetupError("--pool: every file must be an observability-overhead record of this version with the same rows and pairing");
  }
  const settings = last.comparisons.map((c) => c.setting);
  const pairsBy = new Map<Setting, PairSample[]>(settings.map((s) => [s, []]));
  const failedRounds: { round: number; reason: string }[] = [];
  let offset = 0;
  for (const r of records) {
    for (const c of r.comparisons) pairsBy.get(c.setting)?.push(...c.pairs.map((p) => ({ ...p, pair: p.pair + offset })));
    failedRounds.push(...r.failedRounds.map((f) => ({ ...f, round: f.round + offset })));
    offset += r.rounds;
  }
  const comparisons = settings.map((s) => compare(s, pairsBy.get(s)!));
  return {
    ...last,
    loadAverage1mAtStart: records[0]!.loadAverage1mAtStart,
    loadAverage1mRange: [Math.min(...records.map((r) => r.loadAverage1mRange[0])), Math.max(...records.map((r) => r.loadAverage1mRange[1]))],
    rounds: offset,
    command: records.map((r) => r.command).join("; then "),
    comparisons, failedRounds,
    floorLostFraction: FLOOR_LOST,
    verdict: comparisons.find((c) => c.setting === "on")?.verdict ?? "not_resolved",
  };
}
