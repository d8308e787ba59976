import { describe, expect, it } from "vitest";
import { SkipReason, criteoSpec, readFileBatches, type SkippedRow } from "../../../../train/index.js";
import { collect } from "../helpers/batches.js";
import { writeTemp } from "../helpers/temp-files.js";

const INTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 12345];
const CATS = ["68fd1e64", "80e26c9b", "fb936136", "7b4723c4", "25c83c98", "7e0ccccf", "de7995b8", "1f89b562",
  "a73ee510", "a8cd5504", "b2cb9c98", "37c9c164", "2824a5f6", "1adce6ef", "8ba8b39a", "891b62e7",
  "e5ba7672", "f54016b9", "21ddcdc9", "b1252a9d", "07b5194c", "00000000", "3a171ecb", "c5c50484",
  "e8b83407", "9727dd16"];
const line = (label: string, ints: readonly (number | string)[] = INTS, cats: readonly string[] = CATS): string =>
  [label, ...ints, ...cats].join("\t");

describe("reading Criteo TSV", () => {
  it("reads the label, log1p of each integer column and each hex id mod idModulo", async () => {
    const path = writeTemp("one.tsv", `${line("1")}\n`);
    const out = await collect(readFileBatches(path, criteoSpec(), 8));
    expect(out.labels).toEqual([1]);
    expect(out.dense).toEqual(INTS.map((v) => Math.fround(Math.log1p(v))));
    expect(out.ids).toEqual(CATS.map((h) => parseInt(h, 16) % 2 ** 20));
  });

  it("applies any idModulo, power of two or not", async () => {
    const path = writeTemp("mod.tsv", `${line("0")}\n`);
    for (const m of [1000, 2 ** 16, 2 ** 31 + 11]) {
      const out = await collect(readFileBatches(path, criteoSpec(m), 8));
      expect(out.ids).toEqual(CATS.map((h) => parseInt(h, 16) % m));
    }
  });

  it("treats an empty or negative integer column as 0", async () => {
    const ints = ["", "-1", "-2", ...INTS.slice(3)];
    const path = writeTemp("missing.tsv", `${line("0", ints)}\n`);
    const out = await collect(readFileBatches(path, criteoSpec(), 8));
    expect(out.dense.slice(0, 4)).toEqual([0, 0, 0, Math.fround(Math.log1p(3))]);
  });

  it("gives an empty categorical column the reserved id idModulo, which no hex value maps to", async () => {
    const cats = ["", ...CATS.slice(1, 25), ""];
    const path = writeTemp("empty-cat.tsv", `${line("0", INTS, cats)}\n`);
    const out = await collect(readFileBatches(path, criteoSpec(1000), 8));
    expect(out.ids[0]).toBe(1000);
    expect(out.ids[25]).toBe(1000);
  });

  it("skips and counts malformed lines without throwing, reporting each one's row and reason", async () => {
    const lines = [
      line("1"),
      line("0").split("\t").slice(0, 30).join("\t"),
      line("x"),
      line("0", INTS, ["zz", ...CATS.slice(1)]),
      line("0", ["4.5.6", ...INTS.slice(1)]),
      `${line("0")}\textra`,
      line("0"),
    ];
    const path = writeTemp("bad.tsv", `${lines.join("\n")}\n`);
    const skipped: SkippedRow[] = [];
    const stream = readFileBatches(path, criteoSpec(), 8, { onSkip: (s) => skipped.push(s) });
    const out = await collect(stream);
    expect(out.labels).toEqual([1, 0]);
    expect(stream.rows).toBe(7);
    expect(stream.skipped).toBe(5);
    expect(skipped).toEqual([
      { row: 1, reason: SkipReason.ColumnCount },
      { row: 2, reason: SkipReason.Label },
      { row: 3, reason: SkipReason.Value },
      { row: 4, reason: SkipReason.Value },
      { row: 5, reason: SkipReason.ColumnCount },
    ]);
  });

  it("reads a last line without a newline, CRLF line ends, and ignores empty lines", async () => {
    const path = writeTemp("ends.tsv", `${line("1")}\r\n\r\n\n${line("0")}\n${line("1")}`);
    const stream = readFileBatches(path, criteoSpec(), 8);
    const out = await collect(stream);
    expect(out.labels).toEqual([1, 0, 1]);
    expect(out.ids.slice(52)).toEqual(CATS.map((h) => parseInt(h, 16) % 2 ** 20));
    expect(stream.skipped).toBe(0);
  });

  it("yields full batches and one smaller last batch", async () => {
    const path = writeTemp("ten.tsv", `${Array.from({ length: 10 }, (_, i) => line(String(i % 2))).join("\n")}\n`);
    expect((await collect(readFileBatches(path, criteoSpec(), 4))).batchSizes).toEqual([4, 4, 2]);
    expect((await collect(readFileBatches(path, criteoSpec(), 5))).batchSizes).toEqual([5, 5]);
  });

  it("reads the same rows whatever the read size, lines longer than a read included", async () => {
    const content = `${Array.from({ length: 9 }, (_, i) => line(String(i % 2), [i, ...INTS.slice(1)])).join("\n")}\n`;
    const path = writeTemp("chunks.tsv", content);
    const whole = await collect(readFileBatches(path, criteoSpec(), 4));
    for (const chunkBytes of [1, 7, 100, 300]) {
      expect(await collect(readFileBatches(path, criteoSpec(), 4, { chunkBytes }))).toEqual(whole);
    }
  });

  it("keeps batches it has handed out intact while reading on", async () => {
    const content = `${Array.from({ length: 6 }, (_, i) => line("1", [i, ...INTS.slice(1)])).join("\n")}\n`;
    const path = writeTemp("keep.tsv", content);
    const batches = [];
    for await (const b of readFileBatches(path, criteoSpec(), 2)) batches.push(b);
    expect(batches.map((b) => b.dense[0])).toEqual([0, 2, 4].map((v) => Math.fround(Math.log1p(v))));
  });
});
