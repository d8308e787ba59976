/** A horizontal bar for one value out of a maximum, e.g. one shard's share of the load. */

/** Renders `value / max` as `width` cells, filled cells first; 0 or a non-positive max renders empty. */
export function loadBar(value: number, max: number, width: number): string {
  const fraction = max > 0 && Number.isFinite(value) ? Math.min(1, Math.max(0, value / max)) : 0;
  const filled = Math.round(fraction * width);
  return "█".repeat(filled) + "░".repeat(Math.max(0, width - filled));
}
