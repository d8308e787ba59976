import { describe, expect, it } from "vitest";
import {
  DataSpecError,
  SkipReason,
  bucketId,
  denseDimOf,
  fieldsOf,
  hashString,
  numericBucket,
  readFileBatches,
  type CsvSpec,
  type SkippedRow,
} from "../../../../train/index.js";
import { collect } from "../helpers/batches.js";
import { writeTemp } from "../helpers/temp-files.js";

const spec: CsvSpec = {
  format: "csv",
  label: { column: "class", positive: ">50K" },
  categorical: ["sex", "job"],
  numeric: ["age", "gain"],
  bucketize: false,
  delimiter: ",",
};
const HEADER = "age, job ,gain,sex,class";

describe("reading CSV", () => {
  it("has one field per categorical column (plus one per numeric column when bucketized) and one dense feature per numeric column", () => {
    expect([fieldsOf(spec), denseDimOf(spec)]).toEqual([2, 2]);
    expect([fieldsOf({ ...spec, bucketize: true }), denseDimOf({ ...spec, bucketize: true })]).toEqual([4, 2]);
  });

  it("finds columns by header name and hashes each trimmed categorical value, fields in spec order", async () => {
    const path = writeTemp("a.csv", `${HEADER}\n39, Adm-clerical ,2174,Male,<=50K\n`);
    const out = await collect(readFileBatches(path, spec, 8));
    expect(out.ids).toEqual([hashString("Male"), hashString("Adm-clerical")]);
  });

  it("makes each numeric value x the dense feature log1p(max(0, x)), with '?', empty and negatives giving 0", async () => {
    const path = writeTemp("n.csv", `${HEADER}\n39,a,2174,M,x\n?,a,,M,x\n-5,a,1.5e2,M,x\n`);
    const out = await collect(readFileBatches(path, spec, 8));
    expect(out.dense).toEqual([Math.log1p(39), Math.log1p(2174), 0, 0, 0, Math.log1p(150)].map(Math.fround));
  });

  it("bucketizes numeric values into an extra field per column: signed log-scale buckets, missing apart", async () => {
    const path = writeTemp("b.csv", `${HEADER}\n39,a,0,M,x\n?,a,-3,M,x\n`);
    const out = await collect(readFileBatches(path, { ...spec, bucketize: true }, 8));
    expect(out.ids.slice(2, 4)).toEqual([bucketId(39), bucketId(0)]);
    expect(out.ids.slice(6, 8)).toEqual([bucketId(null), bucketId(-3)]);
    expect(new Set([bucketId(null), bucketId(0), bucketId(0.1), bucketId(-0.1)]).size).toBe(4);
    expect(numericBucket(-3)).toBe(-numericBucket(3));
    // Two buckets per doubling of 1 + |x|.
    expect([1, 2, 3, 7, 15].map(numericBucket)).toEqual([3, 4, 5, 7, 9]);
  });

  it("labels a row positive when the label equals the positive value, with or without a trailing '.'", async () => {
    const path = writeTemp("l.csv", `${HEADER}\n1,a,1,M,>50K\n1,a,1,M, >50K. \n1,a,1,M,<=50K.\n1,a,1,M,>50K..\n`);
    expect((await collect(readFileBatches(path, spec, 8))).labels).toEqual([1, 1, 0, 0]);
  });

  it("skips and counts rows with the wrong column count, an empty label or an unparsable number", async () => {
    const rows = ["1,a,1,M,>50K", "1,a,1,M", "1,a,1,M,>50K,extra", "1,a,1,M, ", "abc,a,1,M,>50K", "2,b,2,F,<=50K"];
    const path = writeTemp("bad.csv", `${HEADER}\n${rows.join("\n")}\n\n`);
    const skipped: SkippedRow[] = [];
    const stream = readFileBatches(path, spec, 8, { onSkip: (s) => skipped.push(s) });
    const out = await collect(stream);
    expect(out.labels).toEqual([1, 0]);
    expect(stream.skipped).toBe(4);
    expect(skipped.map((s) => [s.row, s.reason])).toEqual([
      [1, SkipReason.ColumnCount],
      [2, SkipReason.ColumnCount],
      [3, SkipReason.Label],
      [4, SkipReason.Value],
    ]);
  });

  it("reads other delimiters, CRLF files and a header with a byte-order mark", async () => {
    const path = writeTemp("t.tsv", `\uFEFF${HEADER.replaceAll(",", "\t")}\r\n39\tx\t1\tF\t>50K\r\n`);
    const out = await collect(readFileBatches(path, { ...spec, delimiter: "\t" }, 8));
    expect(out.labels).toEqual([1]);
    expect(out.ids).toEqual([hashString("F"), hashString("x")]);
  });

  it("rejects a spec whose columns are not in the header, before reading any row", async () => {
    const path = writeTemp("h.csv", `${HEADER}\n1,a,1,M,>50K\n`);
    await expect(collect(readFileBatches(path, { ...spec, numeric: ["salary"] }, 8))).rejects.toThrow(DataSpecError);
    expect(() => readFileBatches(path, { ...spec, delimiter: ",," }, 8)).toThrow(DataSpecError);
  });
});
