/**
 * Criteo TSV lines: `label \t I1..I13 \t C1..C26`. The label is "0" or "1"; an integer
 * column becomes the dense feature log1p(max(0, x)) (empty → 0); a hex column becomes
 * id parseInt(hex, 16) mod idModulo, and an empty one the reserved id idModulo itself,
 * a row of its own that no value can collide with. One pass over the bytes, no strings.
 */
import type { BatchBuilder } from "./batch-builder.js";
import { CRITEO_CATEGORICAL, CRITEO_DENSE, type CriteoSpec } from "./data-spec.js";
import { SkipReason, type LineParser } from "./line-parser.js";
import { parseNumber } from "./parse-number.js";

const TAB = 9;
const ZERO = 48;
const NINE = 57;
/** Partial hex values are reduced once they pass this, so they stay exact in a double. */
const HEX_REDUCE_AT = 2 ** 44;
/** Value of each byte as a hex digit, or −1. */
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_DIGIT[ZERO + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_DIGIT[97 + c] = 10 + c;
  HEX_DIGIT[65 + c] = 10 + c;
}

/** Parses Criteo TSV lines. @internal */
export class CriteoParser implements LineParser {
  readonly fields = CRITEO_CATEGORICAL;
  readonly denseDim = CRITEO_DENSE;
  readonly #modulo: number;
  /** modulo − 1 when modulo is a power of two up to 2^30, else −1. */
  readonly #mask: number;

  constructor(spec: CriteoSpec) {
    this.#modulo = spec.idModulo;
    const m = spec.idModulo;
    this.#mask = m <= 2 ** 30 && (m & (m - 1)) === 0 ? m - 1 : -1;
  }

  parse(buf: Uint8Array, start: number, end: number, out: BatchBuilder): SkipReason | null {
    // Label: exactly "0" or "1".
    let p = start;
    while (p < end && buf[p] !== TAB) p++;
    if (p >= end) return SkipReason.ColumnCount;
    const c0 = buf[start]!;
    if (p !== start + 1 || (c0 !== ZERO && c0 !== ZERO + 1)) return SkipReason.Label;
    out.labels[out.count] = c0 - ZERO;
    p++;

    const dense = out.dense;
    let d = out.count * CRITEO_DENSE;
    for (let col = 0; col < CRITEO_DENSE; col++, d++) {
      const fieldStart = p;
      let value = 0;
      let negative = false;
      if (p < end && buf[p] === 45) {
        negative = true;
        p++;
      }
      while (p < end) {
        const c = buf[p]!;
        if (c < ZERO || c > NINE) break;
        value = value * 10 + (c - ZERO);
        p++;
      }
      if (p < end && buf[p] !== TAB) {
        // Not a plain integer: find the column's end and take the general path.
        while (p < end && buf[p] !== TAB) p++;
        value = parseNumber(buf, fieldStart, p);
        if (Number.isNaN(value)) return SkipReason.Value;
        negative = false;
      } else if (negative && p === fieldStart + 1) {
        return SkipReason.Value;
      }
      if (p >= end) return SkipReason.ColumnCount;
      p++; // the tab
      dense[d] = negative || value <= 0 ? 0 : Math.log1p(value);
    }

    const ids = out.ids;
    const modulo = this.#modulo;
    const mask = this.#mask;
    let f = out.count * CRITEO_CATEGORICAL;
    for (let col = 0; col < CRITEO_CATEGORICAL; col++, f++) {
      const fieldStart = p;
      let id = 0;
      if (mask >= 0) {
        // Power-of-two modulo: only the low bits matter, so stay in int32 arithmetic.
        while (p < end) {
          const digit = HEX_DIGIT[buf[p]!]!;
          if (digit < 0) break;
          id = ((id << 4) | digit) & mask;
          p++;
        }
      } else {
        while (p < end) {
          const digit = HEX_DIGIT[buf[p]!]!;
          if (digit < 0) break;
          id = id * 16 + digit;
          if (id >= HEX_REDUCE_AT) id %= modulo;
          p++;
        }
        id %= modulo;
      }
      if (p < end && buf[p] !== TAB) return SkipReason.Value;
      ids[f] = p === fieldStart ? modulo : id;
      if (col < CRITEO_CATEGORICAL - 1) {
        if (p >= end) return SkipReason.ColumnCount;
        p++;
      }
    }
    return p === end ? null : SkipReason.ColumnCount;
  }
}
