import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  criteoSpec,
  cutTasks,
  readFileBatches,
  readTaskBatches,
  type CsvSpec,
  type DataSpec,
  type DataTask,
} from "../../../../train/index.js";
import { collect, type Collected } from "../helpers/batches.js";
import { writeTemp } from "../helpers/temp-files.js";

/** A Criteo line whose first integer column and first id are its row number. */
const row = (i: number): string =>
  [i % 2, i, ...Array(12).fill(1), i.toString(16), ...Array(25).fill("abc")].join("\t");

/** A file of `rows` rows, optional empty lines after some, with or without a final newline. */
function criteoFile(rows: number, emptyAfter: ReadonlySet<number> = new Set(), finalNewline = true): string {
  let text = "";
  for (let i = 0; i < rows; i++) {
    text += row(i);
    if (i < rows - 1 || finalNewline) text += "\n";
    if (emptyAfter.has(i)) text += "\n";
  }
  return text;
}

/** Reads every task and concatenates what they yield, in task order. */
async function readAll(tasks: readonly DataTask[], spec: DataSpec): Promise<Collected> {
  const all: Collected = { batchSizes: [], labels: [], ids: [], dense: [] };
  for (const task of tasks) {
    const part = await collect(readTaskBatches(task, spec, 3));
    all.labels.push(...part.labels);
    all.ids.push(...part.ids);
    all.dense.push(...part.dense);
  }
  return all;
}

describe("cutting a file into tasks", () => {
  it("covers every row exactly once, in order, for any number of rows per task", async () => {
    const path = writeTemp("rows.tsv", criteoFile(17, new Set([16]), true) + "\n\n");
    const whole = await collect(readFileBatches(path, criteoSpec(), 3));
    for (const rowsPerTask of [1, 2, 3, 5, 16, 17, 18, 1000]) {
      const tasks = await cutTasks(path, criteoSpec(), rowsPerTask);
      expect(tasks.length).toBe(Math.ceil(17 / rowsPerTask));
      expect(tasks.map((t) => t.rows).reduce((a, b) => a + b)).toBe(17);
      tasks.forEach((t, i) => {
        expect(t.id).toBe(i);
        expect(t.rowStart).toBe(i * rowsPerTask);
        expect(t.rows).toBe(Math.min(rowsPerTask, 17 - i * rowsPerTask));
        if (i > 0) expect(t.byteStart).toBeGreaterThanOrEqual(tasks[i - 1]!.byteEnd);
      });
      const all = await readAll(tasks, criteoSpec());
      expect(all.labels).toEqual(whole.labels);
      expect(all.ids).toEqual(whole.ids);
      expect(all.dense).toEqual(whole.dense);
    }
  });

  it("gives each task the byte range of exactly its lines", async () => {
    const text = criteoFile(5);
    const path = writeTemp("bytes.tsv", text);
    const tasks = await cutTasks(path, criteoSpec(), 2);
    const bytes = readFileSync(path);
    const lines = tasks.map((t) => bytes.subarray(t.byteStart, t.byteEnd).toString().split("\n").filter(Boolean));
    expect(lines).toEqual([[row(0), row(1)], [row(2), row(3)], [row(4)]]);
    expect(tasks.at(-1)!.byteEnd).toBe(bytes.length);
  });

  it("puts a last line without a newline in the last task", async () => {
    const path = writeTemp("last.tsv", criteoFile(4, new Set(), false));
    const tasks = await cutTasks(path, criteoSpec(), 3);
    expect(tasks.map((t) => t.rows)).toEqual([3, 1]);
    expect((await collect(readTaskBatches(tasks[1]!, criteoSpec(), 8))).ids[0]).toBe(3);
  });

  it("skips the CSV header and counts data rows only", async () => {
    const spec: CsvSpec = {
      format: "csv", label: { column: "y", positive: "1" }, categorical: ["c"], numeric: [], bucketize: false, delimiter: ",",
    };
    const path = writeTemp("h.csv", "c,y\na,1\nb,0\n\nc,1\n");
    const tasks = await cutTasks(path, spec, 2);
    expect(tasks.map((t) => [t.rowStart, t.rows])).toEqual([[0, 2], [2, 1]]);
    expect((await readAll(tasks, spec)).labels).toEqual([1, 0, 1]);
  });

  it("returns no task for a file without rows", async () => {
    expect(await cutTasks(writeTemp("empty.tsv", "\n\n"), criteoSpec(), 4)).toEqual([]);
  });

  it("covers every row exactly once for any file layout and read size (property)", async () => {
    const layout = fc.record({
      rows: fc.integer({ min: 1, max: 40 }),
      empty: fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 6 }),
      finalNewline: fc.boolean(),
      rowsPerTask: fc.integer({ min: 1, max: 45 }),
      chunkBytes: fc.integer({ min: 1, max: 600 }),
    });
    await fc.assert(
      fc.asyncProperty(layout, async ({ rows, empty, finalNewline, rowsPerTask, chunkBytes }) => {
        const path = writeTemp("p.tsv", criteoFile(rows, new Set(empty), finalNewline));
        const tasks = await cutTasks(path, criteoSpec(), rowsPerTask, { chunkBytes });
        const seen: number[] = [];
        for (const task of tasks) {
          const part = await collect(readTaskBatches(task, criteoSpec(), 4, { chunkBytes }));
          expect(part.labels.length).toBe(task.rows);
          for (let i = 0; i < part.labels.length; i++) seen.push(part.ids[i * 26]!);
        }
        expect(seen).toEqual([...Array(rows).keys()]);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a rowsPerTask that is not a positive integer", async () => {
    const path = writeTemp("r.tsv", criteoFile(2));
    await expect(cutTasks(path, criteoSpec(), 0)).rejects.toThrow(RangeError);
    await expect(cutTasks(path, criteoSpec(), 1.5)).rejects.toThrow(RangeError);
  });
});
