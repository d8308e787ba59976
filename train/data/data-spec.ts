/**
 * What a training file looks like and how its columns become examples: the `DataSpec`
 * union (Criteo TSV or a CSV with a header), and the shape of the batches it yields
 * (F categorical fields, D dense features). Parsing itself lives in the line parsers;
 * this module only names the formats and their derived sizes.
 */

/** Categorical ids of Criteo columns are reduced modulo this by default, as the benchmark's peer does. */
export const DEFAULT_ID_MODULO = 2 ** 20;

/** Criteo display-ads TSV: label, 13 integer columns, 26 hex categorical columns. */
export interface CriteoSpec {
  readonly format: "criteo";
  /** Categorical id = parseInt(hex, 16) mod idModulo; an empty column gets id idModulo. */
  readonly idModulo: number;
}

/** Delimited text with a header line naming the columns. No quoting: values may not contain the delimiter. */
export interface CsvSpec {
  readonly format: "csv";
  /** The label column; an example is positive when its trimmed value is `positive` (or `positive` + "."). */
  readonly label: { readonly column: string; readonly positive: string };
  /** Columns hashed into one categorical field each, in this order. */
  readonly categorical: readonly string[];
  /** Columns kept as dense features log1p(max(0, x)), in this order. */
  readonly numeric: readonly string[];
  /** Also give every numeric column a categorical field of its log-scale bucket. */
  readonly bucketize: boolean;
  /** One-character column separator, e.g. "," or "\t". */
  readonly delimiter: string;
}

export type DataSpec = CriteoSpec | CsvSpec;

/** A data spec that cannot be read: unknown column, bad delimiter, bad modulo. Retrying will not help. */
export class DataSpecError extends Error {
  override readonly name = "DataSpecError";
}

/** Number of Criteo integer (dense) columns. */
export const CRITEO_DENSE = 13;
/** Number of Criteo categorical columns. */
export const CRITEO_CATEGORICAL = 26;

/** The spec of a Criteo TSV file, with the benchmark's modulo unless given. */
export function criteoSpec(idModulo: number = DEFAULT_ID_MODULO): CriteoSpec {
  return { format: "criteo", idModulo };
}

/** Number of categorical fields F that examples of this spec carry. */
export function fieldsOf(spec: DataSpec): number {
  if (spec.format === "criteo") return CRITEO_CATEGORICAL;
  return spec.categorical.length + (spec.bucketize ? spec.numeric.length : 0);
}

/** Number of dense features D that examples of this spec carry. */
export function denseDimOf(spec: DataSpec): number {
  if (spec.format === "criteo") return CRITEO_DENSE;
  return spec.numeric.length;
}

/** Throws DataSpecError unless the spec can be parsed (header-independent checks only). */
export function checkDataSpec(spec: DataSpec): void {
  if (spec.format === "criteo") {
    const m = spec.idModulo;
    if (!Number.isInteger(m) || m < 1 || m > 0xfffffffe) {
      throw new DataSpecError(`criteo idModulo must be an integer in [1, 2^32 - 2], got ${m}`);
    }
    return;
  }
  if (spec.delimiter.length !== 1 || spec.delimiter.charCodeAt(0) > 0x7f) {
    throw new DataSpecError(`csv delimiter must be one ASCII character, got ${JSON.stringify(spec.delimiter)}`);
  }
  if (spec.label.positive.trim() === "") {
    throw new DataSpecError("csv label.positive must not be empty");
  }
  if (fieldsOf(spec) === 0) {
    throw new DataSpecError("csv spec has no categorical field (list categorical columns or set bucketize)");
  }
}
