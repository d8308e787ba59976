/**
 * Lines of a delimited file with a header, mapped by column name as a CsvSpec says.
 * A categorical value becomes the id hashBytes(trimmed UTF-8 value). A numeric value x
 * becomes the dense feature log1p(max(0, x)), "?" or empty meaning missing (feature 0);
 * with bucketize it also becomes a categorical field holding the id of its signed
 * log-scale bucket, so a linear model can learn a non-monotone effect of x.
 * Values are trimmed of spaces, tabs and CRs. There is no quoting.
 */
import type { BatchBuilder } from "./batch-builder.js";
import { DataSpecError, fieldsOf, type CsvSpec } from "./data-spec.js";
import { hashBytes, hashInt } from "./feature-hash.js";
import { SkipReason, type LineParser } from "./line-parser.js";
import { parseNumber } from "./parse-number.js";

/** Buckets per doubling of 1 + |x|: bucket k covers 2^(k/2) - 1 <= |x| < 2^((k+1)/2) - 1. */
export const BUCKETS_PER_OCTAVE = 2;
/** Bucket index given to a missing numeric value (no number maps to it). */
const MISSING_BUCKET = 0x40000000;
const QUESTION = 63;

/**
 * Signed log-scale bucket of x: 0 for 0, ±(1 + floor(BUCKETS_PER_OCTAVE·log2(1 + |x|)))
 * otherwise, so that small positive and negative values stay apart from zero.
 */
export function numericBucket(x: number): number {
  if (x === 0) return 0;
  const k = 1 + Math.floor(BUCKETS_PER_OCTAVE * Math.log2(1 + Math.abs(x)));
  return x > 0 ? k : -k;
}

/** Id of the bucket field of a numeric value; `null` for a missing value. */
export function bucketId(x: number | null): number {
  return hashInt(x === null ? MISSING_BUCKET : numericBucket(x));
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

/** Parses the data lines of one CSV file, given its header columns. @internal */
export class CsvParser implements LineParser {
  readonly fields: number;
  readonly denseDim: number;
  readonly #delimiter: number;
  readonly #columns: number;
  readonly #labelColumn: number;
  readonly #positive: Buffer;
  /** Per column: its categorical field, or -1. */
  readonly #categoricalField: Int32Array;
  /** Per column: its dense feature index, or -1. */
  readonly #numericIndex: Int32Array;
  /** Field of the first bucket field (bucket field of numeric i is this + i), or -1. */
  readonly #bucketBase: number;
  readonly #missingBucketId = bucketId(null);

  constructor(spec: CsvSpec, header: readonly string[]) {
    this.fields = fieldsOf(spec);
    this.denseDim = spec.numeric.length;
    this.#delimiter = spec.delimiter.charCodeAt(0);
    this.#columns = header.length;
    this.#positive = Buffer.from(spec.label.positive.trim(), "utf8");
    const columnOf = (name: string, role: string): number => {
      const i = header.indexOf(name);
      if (i < 0) throw new DataSpecError(`${role} column "${name}" is not in the header (${header.join(", ")})`);
      return i;
    };
    this.#labelColumn = columnOf(spec.label.column, "label");
    this.#categoricalField = new Int32Array(header.length).fill(-1);
    this.#numericIndex = new Int32Array(header.length).fill(-1);
    spec.categorical.forEach((name, f) => {
      const c = columnOf(name, "categorical");
      if (this.#categoricalField[c] !== -1) throw new DataSpecError(`categorical column "${name}" is listed twice`);
      if (c === this.#labelColumn) throw new DataSpecError(`label column "${name}" cannot be a feature`);
      this.#categoricalField[c] = f;
    });
    spec.numeric.forEach((name, d) => {
      const c = columnOf(name, "numeric");
      if (this.#numericIndex[c] !== -1) throw new DataSpecError(`numeric column "${name}" is listed twice`);
      if (c === this.#labelColumn) throw new DataSpecError(`label column "${name}" cannot be a feature`);
      this.#numericIndex[c] = d;
    });
    this.#bucketBase = spec.bucketize ? spec.categorical.length : -1;
  }

  parse(buf: Uint8Array, start: number, end: number, out: BatchBuilder): SkipReason | null {
    const delimiter = this.#delimiter;
    const row = out.count;
    const idBase = row * this.fields;
    const denseBase = row * this.denseDim;
    let column = 0;
    let p = start;
    for (;;) {
      let fieldEnd = p;
      while (fieldEnd < end && buf[fieldEnd] !== delimiter) fieldEnd++;
      if (column >= this.#columns) return SkipReason.ColumnCount;
      let s = p;
      let e = fieldEnd;
      while (s < e && isBlank(buf[s]!)) s++;
      while (e > s && isBlank(buf[e - 1]!)) e--;

      if (column === this.#labelColumn) {
        if (s === e) return SkipReason.Label;
        out.labels[row] = this.#isPositive(buf, s, e) ? 1 : 0;
      }
      const field = this.#categoricalField[column]!;
      if (field >= 0) out.ids[idBase + field] = hashBytes(buf, s, e);
      const d = this.#numericIndex[column]!;
      if (d >= 0) {
        const missing = s === e || (e === s + 1 && buf[s] === QUESTION);
        let x = 0;
        if (!missing) {
          x = parseNumber(buf, s, e);
          if (!Number.isFinite(x)) return SkipReason.Value;
        }
        out.dense[denseBase + d] = x > 0 ? Math.log1p(x) : 0;
        if (this.#bucketBase >= 0) {
          out.ids[idBase + this.#bucketBase + d] = missing ? this.#missingBucketId : bucketId(x);
        }
      }
      column++;
      if (fieldEnd >= end) break;
      p = fieldEnd + 1;
    }
    return column === this.#columns ? null : SkipReason.ColumnCount;
  }

  /** Whether buf[s..e) is the positive label, alone or followed by "." (as in adult.test). */
  #isPositive(buf: Uint8Array, s: number, e: number): boolean {
    const positive = this.#positive;
    const n = positive.length;
    if (e - s === n + 1 && buf[e - 1] === 46) e--;
    if (e - s !== n) return false;
    for (let i = 0; i < n; i++) if (buf[s + i] !== positive[i]) return false;
    return true;
  }
}
