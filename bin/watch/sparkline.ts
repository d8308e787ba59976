/** A sparkline: the last values of a series as one row of block characters, scaled to the row's own min and max. */

const BLOCKS = "▁▂▃▄▅▆▇█";

/** Renders the last `width` values; a flat series sits on the lowest block, NaN shows as a space. */
export function sparkline(values: readonly number[], width: number): string {
  const tail = values.slice(-Math.max(0, width));
  const finite = tail.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return " ".repeat(tail.length);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo;
  return tail.map((v) => {
    if (!Number.isFinite(v)) return " ";
    const level = span > 0 ? Math.round(((v - lo) / span) * (BLOCKS.length - 1)) : 0;
    return BLOCKS[level];
  }).join("");
}
