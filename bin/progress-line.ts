/** The live one-line view of a training job on a terminal: epoch, rows, speed, loss, ETA. */
import type { Progress } from "../protocols/index.js";

/** Renders one progress line (no newline). */
export function progressLine(p: Progress, width = 100): string {
  const pct = p.rowsTotal > 0 ? (100 * p.rowsDone) / p.rowsTotal : 0;
  const eta = p.samplesPerSec > 0 ? (p.rowsTotal - p.rowsDone) / p.samplesPerSec : NaN;
  const line = [
    `epoch ${p.epoch + 1}/${p.epochs}`,
    `rows ${p.rowsDone.toLocaleString("en-US")}/${p.rowsTotal.toLocaleString("en-US")} (${pct.toFixed(1)}%)`,
    `${Math.round(p.samplesPerSec).toLocaleString("en-US")} samples/s`,
    `loss ${p.loss > 0 ? p.loss.toFixed(4) : "—"}`,
    `workers ${p.workers}`,
    `ETA ${Number.isFinite(eta) ? formatSeconds(eta) : "—"}`,
  ].join("  ");
  return line.length > width ? line.slice(0, width) : line;
}

function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}
