/**
 * Cuts a data file into tasks of a fixed number of rows, each a byte range a worker
 * can read on its own. One streaming pass that only looks for newline bytes. A row is
 * a non-empty line after the CSV header; empty lines (anywhere, trailing ones included)
 * belong to no row. Tasks are in file order and cover every row exactly once.
 */
import { stat } from "node:fs/promises";
import { checkDataSpec, type DataSpec } from "./data-spec.js";
import { readCsvHeader } from "./csv-header.js";
import { DEFAULT_CHUNK_BYTES, lineChunks } from "./line-chunks.js";

/** A contiguous run of rows of one file: bytes [byteStart, byteEnd) hold rows rowStart.. rowStart+rows-1. */
export interface DataTask {
  readonly id: number;
  readonly path: string;
  readonly byteStart: number;
  readonly byteEnd: number;
  /** Index of the task's first row among the file's data rows (0-based). */
  readonly rowStart: number;
  /** Rows in the task, malformed ones included (the reader skips those). */
  readonly rows: number;
}

/** Byte offset where a file's data rows begin (after the header for CSV). @internal */
export async function dataStartOf(path: string, spec: DataSpec): Promise<number> {
  return spec.format === "csv" ? (await readCsvHeader(path, spec.delimiter)).dataStart : 0;
}

export interface CutOptions {
  /** Bytes per positioned read. Default 1 MiB. */
  readonly chunkBytes?: number;
}

/** Cuts the file into tasks of rowsPerTask rows (the last may have fewer); ids count from 0. */
export async function cutTasks(
  path: string,
  spec: DataSpec,
  rowsPerTask: number,
  options: CutOptions = {},
): Promise<DataTask[]> {
  checkDataSpec(spec);
  if (!Number.isInteger(rowsPerTask) || rowsPerTask < 1) {
    throw new RangeError(`rowsPerTask must be a positive integer, got ${rowsPerTask}`);
  }
  const { size } = await stat(path);
  const tasks: DataTask[] = [];
  let rows = 0;
  let taskRows = 0;
  let taskStart = 0;
  let lastRowEnd = 0;
  const close = (byteEnd: number): void => {
    tasks.push({ id: tasks.length, path, byteStart: taskStart, byteEnd, rowStart: rows - taskRows, rows: taskRows });
    taskRows = 0;
  };
  const chunks = lineChunks(path, await dataStartOf(path, spec), size, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  for await (const { buf, end, position } of chunks) {
    let p = 0;
    while (p < end) {
      const newline = buf.indexOf(10, p);
      const lineEnd = newline < 0 || newline >= end ? end : newline;
      const next = lineEnd === end ? end : lineEnd + 1;
      const length = lineEnd - p;
      if (length > 1 || (length === 1 && buf[p] !== 13)) {
        if (taskRows === 0) taskStart = position + p;
        taskRows++;
        rows++;
        lastRowEnd = position + next;
        if (taskRows === rowsPerTask) close(lastRowEnd);
      }
      p = next;
    }
  }
  if (taskRows > 0) close(lastRowEnd);
  return tasks;
}
