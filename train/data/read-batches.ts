/**
 * Streams example batches out of a task's byte range, or out of a whole file, without
 * reading anything outside it. Malformed lines never throw: they are skipped, counted
 * on the stream and reported to an optional callback with their row index.
 */
import { stat } from "node:fs/promises";
import type { ExampleBatch } from "../types.js";
import { BatchBuilder } from "./batch-builder.js";
import { CriteoParser } from "./criteo-parser.js";
import { readCsvHeader } from "./csv-header.js";
import { dataStartOf, type DataTask } from "./cut-tasks.js";
import { checkDataSpec, type DataSpec } from "./data-spec.js";
import { DEFAULT_CHUNK_BYTES, lineChunks } from "./line-chunks.js";
import type { LineParser, SkipReason } from "./line-parser.js";
import { CsvParser } from "./csv-parser.js";

/** Batches of a byte range, with running counts. Each iteration re-reads the range and restarts the counts. */
export interface BatchStream extends AsyncIterable<ExampleBatch> {
  /** Data rows seen so far, skipped ones included. */
  readonly rows: number;
  /** Malformed rows skipped so far. */
  readonly skipped: number;
}

/** A skipped row: its index among the file's data rows (0-based) and why. */
export interface SkippedRow {
  readonly row: number;
  readonly reason: SkipReason;
}

export interface ReadOptions {
  /** Called for every malformed row, in file order. */
  readonly onSkip?: (skipped: SkippedRow) => void;
  /** Bytes per positioned read. Default 1 MiB. */
  readonly chunkBytes?: number;
}

interface ByteRange {
  readonly byteStart: number;
  readonly byteEnd: number;
  readonly rowStart: number;
}

/** Batches of up to batchSize rows from exactly the task's bytes; only the last batch may be smaller. */
export function readTaskBatches(
  task: DataTask,
  spec: DataSpec,
  batchSize: number,
  options: ReadOptions = {},
): BatchStream {
  return new RangeBatchStream(task.path, spec, batchSize, options, async () => task);
}

/** Batches of up to batchSize rows from every data row of a file (e.g. an evaluation set). */
export function readFileBatches(
  path: string,
  spec: DataSpec,
  batchSize: number,
  options: ReadOptions = {},
): BatchStream {
  return new RangeBatchStream(path, spec, batchSize, options, async () => ({
    byteStart: await dataStartOf(path, spec),
    byteEnd: (await stat(path)).size,
    rowStart: 0,
  }));
}

class RangeBatchStream implements BatchStream {
  readonly #path: string;
  readonly #spec: DataSpec;
  readonly #batchSize: number;
  readonly #options: ReadOptions;
  readonly #range: () => Promise<ByteRange>;
  #rows = 0;
  #skipped = 0;

  constructor(path: string, spec: DataSpec, batchSize: number, options: ReadOptions, range: () => Promise<ByteRange>) {
    checkDataSpec(spec);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    this.#path = path;
    this.#spec = spec;
    this.#batchSize = batchSize;
    this.#options = options;
    this.#range = range;
  }

  get rows(): number {
    return this.#rows;
  }

  get skipped(): number {
    return this.#skipped;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExampleBatch> {
    this.#rows = 0;
    this.#skipped = 0;
    const range = await this.#range();
    const parser = await parserFor(this.#path, this.#spec);
    const builder = new BatchBuilder(parser.fields, parser.denseDim, this.#batchSize);
    const onSkip = this.#options.onSkip;
    let row = range.rowStart;
    const chunks = lineChunks(this.#path, range.byteStart, range.byteEnd, this.#options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    for await (const { buf, end } of chunks) {
      let p = 0;
      while (p < end) {
        const newline = buf.indexOf(10, p);
        let lineEnd = newline < 0 || newline >= end ? end : newline;
        const next = lineEnd === end ? end : lineEnd + 1;
        if (lineEnd > p && buf[lineEnd - 1] === 13) lineEnd--;
        if (lineEnd > p) {
          const reason = parser.parse(buf, p, lineEnd, builder);
          this.#rows++;
          if (reason === null) {
            if (builder.commit()) yield builder.take();
          } else {
            this.#skipped++;
            onSkip?.({ row, reason });
          }
          row++;
        }
        p = next;
      }
    }
    if (builder.count > 0) yield builder.take();
  }
}

async function parserFor(path: string, spec: DataSpec): Promise<LineParser> {
  if (spec.format === "criteo") return new CriteoParser(spec);
  const header = await readCsvHeader(path, spec.delimiter);
  return new CsvParser(spec, header.columns);
}
