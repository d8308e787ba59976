/**
 * Counter-based randomness for parameter initialisation: the value of element `index`
 * of row (table, id) is a pure function of (seed, table, id, index). Any process can
 * create any row at any time and every process agrees on it, with no state to share.
 */

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of (seed, table, id): combine with an element index through uniformAt. */
export function rowKey(seed: number, table: number, id: number): number {
  let h = fmix32(seed ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(table + 1, 0x27d4eb2d));
  return fmix32(h ^ id);
}

/** A uniform draw in [-bound, bound) for element `index` of the row with this key. */
export function uniformAt(key: number, index: number, bound: number): number {
  const h = fmix32(key + Math.imul(index + 1, 0x165667b1));
  // 24 bits: exactly representable in float32.
  return ((h >>> 8) / 16777216) * 2 * bound - bound;
}
