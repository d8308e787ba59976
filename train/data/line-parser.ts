/**
 * The contract between the byte-range readers and the format-specific line parsers,
 * and the closed list of reasons a line is skipped instead of becoming an example.
 */
import type { BatchBuilder } from "./batch-builder.js";

/** Why a data line was skipped. */
export const SkipReason = {
  /** The line has the wrong number of columns. */
  ColumnCount: "column-count",
  /** The label is empty or not a label. */
  Label: "label",
  /** A numeric or hex column holds something that is not a number. */
  Value: "value",
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Parses one line (no newline, no trailing CR) into row `out.count` of a batch. @internal */
export interface LineParser {
  readonly fields: number;
  readonly denseDim: number;
  /** Writes the row and returns null, or returns why the line must be skipped. */
  parse(buf: Uint8Array, start: number, end: number, out: BatchBuilder): SkipReason | null;
}
