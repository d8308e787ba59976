/**
 * The chaos report as one self-contained HTML page (no script, no network): the verdict
 * and each checker's, a timeline of throughput with every fault and its recovery drawn
 * on it, the recovery-time distribution per fault kind, and the fault and event lists.
 */
import type { ChaosReport } from "./chaos-report.js";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sec = (ms: number | undefined): string => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);

/** A stable colour per fault kind. */
const COLOURS: Record<string, string> = { kill: "#d62728", term: "#ff7f0e", stop: "#9467bd", "nats-restart": "#1f77b4", partition: "#7f7f7f", latency: "#7f7f7f", loss: "#7f7f7f" };

function timelineSvg(r: ChaosReport): string {
  const W = 960;
  const H = 260;
  const pad = { l: 56, r: 12, t: 12, b: 36 };
  const end = Math.max(r.durationMs, ...r.timeline.map((p) => p.t), 1);
  const maxRate = Math.max(1, ...r.timeline.map((p) => p.samplesPerSec));
  const x = (t: number): number => pad.l + (t / end) * (W - pad.l - pad.r);
  const y = (v: number): number => H - pad.b - (v / maxRate) * (H - pad.t - pad.b);
  const line = r.timeline.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.samplesPerSec).toFixed(1)}`).join(" ");
  const faults = r.faults.filter((f) => f.skipped === undefined).map((f) => {
    const c = COLOURS[f.kind] ?? "#333";
    const rec = f.recoveryMs === undefined ? "" : `<rect x="${x(f.atMs).toFixed(1)}" y="${pad.t}" width="${Math.max(1, x(f.atMs + f.recoveryMs) - x(f.atMs)).toFixed(1)}" height="8" fill="${c}" opacity="0.35"/>`;
    return `${rec}<line x1="${x(f.atMs).toFixed(1)}" x2="${x(f.atMs).toFixed(1)}" y1="${pad.t}" y2="${H - pad.b}" stroke="${c}" stroke-width="1.5"><title>${esc(`fault ${f.index}: ${f.kind} ${f.actor ?? ""} at ${sec(f.atMs)}, recovered after ${sec(f.recoveryMs)}`)}</title></line>`;
  }).join("");
  const ticks = Array.from({ length: 6 }, (_, i) => (end * i) / 5).map((t) => `<text x="${x(t).toFixed(1)}" y="${H - pad.b + 16}" font-size="11" text-anchor="middle">${(t / 1000).toFixed(0)} s</text>`).join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="throughput and faults over time">
<rect x="${pad.l}" y="${pad.t}" width="${W - pad.l - pad.r}" height="${H - pad.t - pad.b}" fill="#fafafa" stroke="#ddd"/>
<text x="${pad.l - 6}" y="${pad.t + 10}" font-size="11" text-anchor="end">${Math.round(maxRate).toLocaleString("en-US")}</text>
<text x="${pad.l - 6}" y="${H - pad.b}" font-size="11" text-anchor="end">0</text>
<text x="14" y="${H / 2}" font-size="11" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">samples/s</text>
${faults}<path d="${line}" fill="none" stroke="#2ca02c" stroke-width="2"/>${ticks}
</svg>`;
}

function recoverySvg(r: ChaosReport): string {
  const kinds = Object.keys(r.recoveryByKind);
  const times = r.faults.filter((f) => f.recoveryMs !== undefined);
  if (kinds.length === 0) return "<p>No fault was injected.</p>";
  const W = 960;
  const row = 26;
  const H = kinds.length * row + 30;
  const maxMs = Math.max(1000, ...times.map((f) => f.recoveryMs!));
  const x = (ms: number): number => 170 + (ms / maxMs) * (W - 190);
  const keyOf = (f: (typeof r.faults)[number]): string => (f.actorKind === "nats" ? f.kind : `${f.kind} ${f.actorKind}`);
  const rows = kinds.map((k, i) => {
    const yy = 10 + i * row + row / 2;
    const dots = times.filter((f) => keyOf(f) === k).map((f) => `<circle cx="${x(f.recoveryMs!).toFixed(1)}" cy="${yy}" r="4" fill="${COLOURS[f.kind] ?? "#333"}" opacity="0.75"><title>${esc(`fault ${f.index} (${f.actor}): ${sec(f.recoveryMs)}`)}</title></circle>`).join("");
    return `<text x="160" y="${yy + 4}" font-size="12" text-anchor="end">${esc(k)}</text><line x1="170" x2="${W - 20}" y1="${yy}" y2="${yy}" stroke="#eee"/>${dots}`;
  }).join("");
  const axis = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(f * maxMs).toFixed(1)}" y="${H - 4}" font-size="11" text-anchor="middle">${sec(f * maxMs)}</text>`).join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="recovery time per fault kind">${rows}${axis}</svg>`;
}

/** The report page. */
export function renderReportHtml(r: ChaosReport): string {
  const pass = r.verdict === "pass";
  const checkers = r.checkers.map((c) => `<tr><td class="${c.ok ? "ok" : "bad"}">${c.ok ? "pass" : "FAIL"}</td><td>${esc(c.checker)}</td><td>${esc(c.summary)}</td>
<td><details><summary>evidence</summary><pre>${esc(JSON.stringify(c.evidence, null, 2))}</pre></details></td></tr>`).join("");
  const kinds = Object.entries(r.recoveryByKind).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v.n}</td><td>${sec(v.p50)}</td><td>${sec(v.p99)}</td><td>${sec(v.max)}</td><td>${v.unrecovered}</td></tr>`).join("");
  const faults = r.faults.map((f) => `<tr><td>${f.index}</td><td>${sec(f.atMs)}</td><td>${esc(f.kind)}</td><td>${esc(f.actor ?? f.planned ?? "")}</td><td>${f.pid ?? ""}</td>
<td>${f.skipped ? `skipped: ${esc(f.skipped)}` : f.error ? `error: ${esc(f.error)}` : `back ${sec(f.backMs)}, recovered ${sec(f.recoveryMs)}`}</td></tr>`).join("");
  const events = r.events.map((e) => `<li><code>${sec(e.t)}</code> ${esc(e.text)}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>colony chaos: ${esc(r.scenario.name)} — ${r.verdict}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
.verdict{display:inline-block;padding:4px 12px;border-radius:4px;color:#fff;background:${pass ? "#2ca02c" : "#d62728"}}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
.ok{color:#2ca02c;font-weight:600}.bad{color:#d62728;font-weight:600}pre{font-size:12px;max-height:300px;overflow:auto}
.legend span{margin-right:14px}
</style></head><body>
<h1>colony chaos: ${esc(r.scenario.name)} <span class="verdict">${r.verdict.toUpperCase()}</span></h1>
<p>${esc(r.scenario.description ?? "")}</p>
<p>Seed ${r.scenario.seed}, started ${esc(r.startedAt)}, ${sec(r.durationMs)} in all. Job <b>${esc(r.job.cluster)}</b> (${esc(r.job.mode)}):
${r.job.ok ? "finished" : `<b class="bad">failed: ${esc(r.job.error ?? "")}</b>`}, ${r.job.rowsTrained.toLocaleString("en-US")} rows trained in ${sec(r.job.durationMs)}${r.job.auc === undefined ? "" : `, held-out AUC ${r.job.auc.toFixed(4)}`}.
${r.reference ? `Fault-free reference: ${sec(r.reference.durationMs)}${r.reference.auc === undefined ? "" : `, AUC ${r.reference.auc.toFixed(4)}`}.` : ""}
${r.faultsInjected} faults injected, ${r.faultsSkipped} skipped${r.faultsNotReached ? `, ${r.faultsNotReached} planned for after the job's end` : ""}. Machine: ${esc(r.machine.cpu)}, ${r.machine.cores} cores, load ${r.machine.loadAverage1m.toFixed(2)}.</p>
<h2>Checkers</h2><table><tr><th></th><th>checker</th><th>verdict</th><th></th></tr>${checkers}</table>
<h2>Timeline</h2>
<p class="legend">${Object.entries(COLOURS).slice(0, 4).map(([k, c]) => `<span style="color:${c}">▮ ${k}</span>`).join("")} <span style="color:#2ca02c">— samples/s</span> (shaded: time to recover)</p>
${timelineSvg(r)}
<h2>Recovery time per fault kind</h2>
${recoverySvg(r)}
<table><tr><th>fault</th><th>n</th><th>p50</th><th>p99</th><th>max</th><th>not recovered</th></tr>${kinds}</table>
<h2>Faults</h2><table><tr><th>#</th><th>at</th><th>kind</th><th>target</th><th>pid</th><th>outcome</th></tr>${faults}</table>
<h2>Events</h2><ul>${events}</ul>
</body></html>
`;
}
