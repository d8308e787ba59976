/**
 * One frame of `colony status --watch`: the cluster line, progress, throughput and loss
 * sparklines, members and their states, per-shard load bars and recent events. Pure:
 * it renders a snapshot and a history into text of a given width, with or without
 * colour, so a terminal and a log file see the same content.
 */
import type { StatusReply } from "../../protocols/index.js";
import { progressLine } from "../progress-line.js";
import { loadBar } from "./load-bar.js";
import { sparkline } from "./sparkline.js";
import type { StatusHistory } from "./status-history.js";

/** How to draw a frame. */
export interface ViewOptions {
  readonly width: number;
  /** ANSI colours (a terminal); false for plain text. */
  readonly color: boolean;
  /** How many recent events to show. */
  readonly events?: number;
}

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");

/** Renders one frame (several lines, newline-terminated). */
export function renderWatchFrame(s: StatusReply, history: StatusHistory, opts: ViewOptions): string {
  const paint = (code: string, text: string): string => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = (t: string): string => paint("1", t);
  const dim = (t: string): string => paint("2", t);
  const stateColor = (state: string): string => {
    if (state === "starting" || state.includes("join")) return paint("33", state);
    if (state.includes("fail") || state.includes("stop")) return paint("31", state);
    return paint("32", state);
  };
  const width = Math.max(60, opts.width);
  const spark = Math.max(10, Math.min(60, width - 40));
  const lines: string[] = [];

  lines.push(bold(`colony ${s.cluster}`) + dim(`  nats ${s.natsUrl}  supervisor ${s.supervisorPid}  up ${Math.round(s.uptimeMs / 1000)} s  map epoch ${s.mapEpoch}`));
  lines.push(s.progress ? progressLine(s.progress, width) : "progress: not training yet");
  const tput = history.throughput.at(-1) ?? NaN;
  const loss = history.loss.at(-1) ?? NaN;
  lines.push(`throughput ${sparkline(history.throughput, spark)} ${fmt(tput)} samples/s`);
  lines.push(`loss       ${sparkline(history.loss, spark)} ${Number.isFinite(loss) ? loss.toFixed(4) : "—"}`);
  // Only when the coordinator evaluates (observability.evalEveryMs): a row of dashes says nothing.
  const auc = history.evalAuc.at(-1) ?? NaN;
  if (history.evalAuc.some(Number.isFinite)) lines.push(`eval AUC   ${sparkline(history.evalAuc, spark)} ${Number.isFinite(auc) ? auc.toFixed(4) : "—"}`);
  lines.push("");

  const workers = s.members.filter((m) => m.kind === "worker").length;
  lines.push(bold(`members`) + dim(`  workers ${workers}/${s.desiredWorkers} desired; restarts ${s.restarts}`));
  lines.push(dim(`  ${"actor".padEnd(14)}${"state".padEnd(18)}${"pid".padStart(8)}${"restarts".padStart(10)}${"heartbeat".padStart(11)}`));
  for (const m of s.members) {
    const hb = m.silentMs < 0 ? "-" : `${(m.silentMs / 1000).toFixed(1)}s`;
    lines.push(`  ${m.id.padEnd(14)}${stateColor(m.state.padEnd(18))}${String(m.pid).padStart(8)}${String(m.restarts).padStart(10)}${hb.padStart(11)}`);
  }
  lines.push("");

  const shards = history.shards;
  if (shards.length > 0) {
    lines.push(bold("shard load") + dim("  rows pulled + applied per second"));
    const max = Math.max(0, ...shards.map((x) => (Number.isFinite(x.rowsPerSec) ? x.rowsPerSec : 0)));
    const bar = Math.max(10, Math.min(40, width - 60));
    for (const x of shards) {
      lines.push(`  ${x.id.padEnd(12)}${loadBar(x.rowsPerSec, max, bar)} ${fmt(x.rowsPerSec).padStart(10)} rows/s  ${String(x.partitions).padStart(4)} partitions  ${fmt(x.rowsHeld)} rows held`);
    }
    lines.push("");
  }

  const events = s.events.slice(-(opts.events ?? 8));
  lines.push(bold("recent events") + (events.length === 0 ? dim("  none") : ""));
  for (const e of events) lines.push(`  ${e.length > width - 2 ? `${e.slice(0, width - 3)}…` : e}`);
  return `${lines.join("\n")}\n`;
}
