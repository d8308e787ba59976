/**
 * The chaos report as Markdown, for bench/results/ beside the other recorded runs: the
 * verdict, the machine, fault counts, recovery time per fault kind and each checker's
 * verdict with its key figures. report.json has everything; report.html draws it.
 */
import type { ChaosReport } from "./chaos-report.js";

const sec = (ms: number | undefined): string => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);
const n = (x: unknown): string => (typeof x === "number" ? x.toLocaleString("en-US") : "–");

/** The report page in Markdown. */
export function renderReportMarkdown(r: ChaosReport): string {
  const once = r.checkers.find((c) => c.checker === "exactly-once")?.evidence;
  const rows = r.checkers.find((c) => c.checker === "rows-trained")?.evidence;
  const lines = [
    `# Chaos run: ${r.scenario.name} — ${r.verdict.toUpperCase()}`,
    "",
    `${r.scenario.description ?? ""}`,
    "",
    `Seed ${r.scenario.seed}; started ${r.startedAt}; ${sec(r.durationMs)} in all. Machine: ${r.machine.cpu}, ${r.machine.cores} cores, host ${r.machine.host}, load average ${r.machine.loadAverage1m.toFixed(2)} at the end.`,
    `Command: \`npx colony chaos run ${r.scenario.file.replace(/^.*\/chaos\/scenarios\//, "chaos/scenarios/")} --seed ${r.scenario.seed}\`.`,
    "",
    `Job ${r.job.cluster} (${r.job.mode}): ${r.job.ok ? "finished" : `FAILED (${r.job.error ?? "?"})`}, ${n(r.job.rowsTrained)} rows in ${sec(r.job.durationMs)}${r.job.auc === undefined ? "" : `, held-out AUC ${r.job.auc.toFixed(4)}`}.`,
    `Faults: ${r.faultsInjected} injected and survived${r.job.ok ? "" : " (the job did not finish)"}, ${r.faultsSkipped} skipped, ${r.faultsNotReached} planned after the job's end.`,
    "",
    "| fault | n | recovery p50 | p99 | max | not recovered |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...Object.entries(r.recoveryByKind).map(([k, v]) => `| ${k} | ${v.n} | ${sec(v.p50)} | ${sec(v.p99)} | ${sec(v.max)} | ${v.unrecovered} |`),
    "",
    "| checker | verdict | summary |",
    "| --- | --- | --- |",
    ...r.checkers.map((c) => `| ${c.checker} | ${c.ok ? "pass" : "**FAIL**"} | ${c.summary.replace(/\|/g, "\\|")} |`),
    "",
  ];
  if (once) {
    lines.push(`Updates: ${n(once["entries"])} log entries, ${n(once["duplicatesDropped"])} dropped as duplicates (retried appends, replays); lost or doubled updates: ${once["rowsMismatched"] === 0 && once["rowsUntouchedChanged"] === 0 ? "0" : "**some**"} (every one of ${n(once["rowsCompared"])} checkpoint rows equals the replay of the log bit for bit: ${n(once["rowsMismatched"])} differ).`);
  }
  if (rows) lines.push(`Rows: ${n(rows["rowsExpected"])} to train, ${n(rows["rowsMissing"])} never trained, ${n(rows["rowsRepeated"])} trained again after faults.`);
  lines.push("");
  return lines.join("\n");
}
