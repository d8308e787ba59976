/**
 * Every row trained: from the update log, not from anyone's report. Each applied entry
 * names the data rows its gradient came from (BatchOrigin), so the checker rebuilds, per
 * pass and task, which rows reached the parameters and how often, and compares that with
 * the rows the data file holds (well-formed ones: a malformed row is never trained).
 * async mode promises at least once (a crash may train rows twice: counted, allowed);
 * sync mode promises exactly once.
 */
import { readTaskBatches, cutTasks } from "../../train/index.js";
import { dataSpecOf, rowsPerTaskOf } from "../../actors/runtime/actor-config.js";
import type { ActorConfig } from "../../actors/index.js";
import type { BatchOrigin } from "../../protocols/index.js";
import type { CheckerVerdict } from "./verdict.js";

/** Rows covered by at least one interval, and the excess coverage (rows covered more than once). */
function coverage(intervals: [number, number][]): { covered: number; repeated: number } {
  intervals.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of intervals) {
    total += e - s;
    if (e <= end) continue;
    covered += e - Math.max(s, end);
    end = e;
  }
  return { covered, repeated: total - covered };
}

/** Checks the applied batches against the data the job trained on. */
export async function checkRowsTrained(config: ActorConfig, batches: readonly BatchOrigin[], unattributed: number): Promise<CheckerVerdict> {
  const spec = dataSpecOf(config);
  const tasks = await cutTasks(config.job.data.path, spec, rowsPerTaskOf(config));
  const wellFormed = new Map<number, { rowStart: number; rows: number }>();
  for (const t of tasks) {
    const stream = readTaskBatches(t, spec, 65_536);
    for await (const _ of stream) { /* counting only */ }
    wellFormed.set(t.id, { rowStart: t.rowStart, rows: stream.rows - stream.skipped });
  }
  const byTask = new Map<string, [number, number][]>();
  let foreign = 0;
  for (const b of batches) {
    const t = wellFormed.get(b.task);
    if (!t || b.epoch >= config.job.epochs) {
      foreign++;
      continue;
    }
    const key = `${b.epoch}:${b.task}`;
    let list = byTask.get(key);
    if (!list) byTask.set(key, (list = []));
    list.push([b.row - t.rowStart, b.row - t.rowStart + b.rows]);
  }
  const sync = config.job.mode === "sync";
  let expected = 0;
  let trained = 0;
  let missing = 0;
  let repeated = 0;
  const examples: string[] = [];
  for (let epoch = 0; epoch < config.job.epochs; epoch++) {
    for (const [id, t] of wellFormed) {
      expected += t.rows;
      const { covered, repeated: again } = coverage(byTask.get(`${epoch}:${id}`) ?? []);
      const lost = t.rows - Math.min(covered, t.rows);
      trained += covered;
      missing += lost;
      repeated += again;
      if (lost > 0 && examples.length < 5) examples.push(`pass ${epoch}, task ${id}: ${lost} of ${t.rows} rows never reached the parameters`);
      if (sync && again > 0 && examples.length < 5) examples.push(`pass ${epoch}, task ${id}: ${again} rows applied more than once`);
    }
  }
  const ok = missing === 0 && foreign === 0 && unattributed === 0 && (!sync || repeated === 0);
  const promise = sync ? "exactly once" : "at least once";
  return {
    checker: "rows-trained",
    ok,
    summary: ok
      ? `all ${expected.toLocaleString("en-US")} rows (${config.job.epochs} passes) trained ${promise}; ${repeated.toLocaleString("en-US")} rows trained again after faults`
      : `${missing.toLocaleString("en-US")} rows never trained${sync && repeated > 0 ? `, ${repeated} applied twice` : ""}${foreign > 0 ? `, ${foreign} batches name no task of this job` : ""}${unattributed > 0 ? `, ${unattributed} entries carry no batch origin` : ""} (promise: ${promise})`,
    evidence: { mode: config.job.mode, tasks: tasks.length, passes: config.job.epochs, rowsExpected: expected, rowsTrained: trained, rowsMissing: missing, rowsRepeated: repeated, batchesApplied: batches.length, foreignBatches: foreign, unattributedEntries: unattributed, examples },
  };
}
