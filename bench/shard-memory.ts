/**
 * Memory and speed of a shard's RowTable at realistic scale: inserts N rows of an
 * embedding of dimension `dim` with Adagrad state (width 2 × dim), keyed like CTR
 * traffic (26 categorical tables, hashed u32 ids), then looks every key up again.
 * Reports the table's own byte count, the process RSS growth, their ratio to the raw
 * row bytes, and insert/find throughput.
 *
 * As a script (`node --expose-gc dist/bench/shard-memory.js [--rows N] [--dim D]`) it
 * prints one JSON line and writes bench/results/shard-memory.{json,md}.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { RowTable } from "../actors/shard/row-table.js";

export interface ShardMemoryResult {
  readonly rows: number;
  readonly dim: number;
  /** Float32s per row: dim parameters + dim Adagrad accumulators. */
  readonly stateWidth: number;
  /** rows × stateWidth × 4: the bytes the rows themselves need. */
  readonly rawBytes: number;
  /** RowTable.byteLength() after all inserts. */
  readonly tableBytes: number;
  /** Process RSS after inserts minus before the table existed (after GC when exposed). */
  readonly rssDeltaBytes: number;
  readonly bytesPerRow: number;
  /** tableBytes / rawBytes. */
  readonly ratio: number;
  /** New rows per second, including writing each row's initial values. */
  readonly insertRowsPerSec: number;
  /** Lookups of existing keys per second, in an order unrelated to insertion (median of 3 passes). */
  readonly findRowsPerSec: number;
}

/** Number of categorical tables, as in Criteo's 26 sparse features. */
const TABLES = 26;
/** Full lookup passes; findRowsPerSec is their median. */
const FIND_PASSES = 3;
/** Adagrad's usual initial accumulator value. */
const INITIAL_ACCUMULATOR = 0.1;

/** Builds a table of `rows` rows and measures it; resolves after the table is dropped. */
export async function measureShardMemory(opts: { rows: number; dim: number }): Promise<ShardMemoryResult> {
  const { rows, dim } = opts;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  const stateWidth = 2 * dim;

  await settle();
  const rssBefore = process.memoryUsage.rss();

  // No initialCapacity: a shard doesn't know its final size, so growth is part of the cost.
  const table = new RowTable({ width: stateWidth });
  const insertStart = performance.now();
  for (let i = 0; i < rows; i++) {
    const index = table.findOrInsert(i % TABLES, featureId(i));
    if (!table.lastCreated) throw new Error(`key ${i} collided with an earlier key; the bench's ids must be unique`);
    const page = table.page(index);
    const offset = table.offset(index);
    // Small pseudo-random weights (an LCG seeded by the id); writing every float also
    // makes the pages resident, so RSS counts them.
    let seed = featureId(i);
    for (let c = 0; c < dim; c++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      page[offset + c] = ((seed >>> 8) / 0x1000000 - 0.5) * 0.01;
    }
    page.fill(INITIAL_ACCUMULATOR, offset + dim, offset + stateWidth);
  }
  const insertSeconds = (performance.now() - insertStart) / 1000;

  await settle();
  const rssDeltaBytes = process.memoryUsage.rss() - rssBefore;
  const tableBytes = table.byteLength();

  // Lookups are cheap to repeat, so take the median of a few passes: one pass is easily
  // skewed by whatever else the machine is doing.
  const findSeconds = median(Array.from({ length: FIND_PASSES }, () => timeFinds(table, rows)));

  const rawBytes = rows * stateWidth * 4;
  return {
    rows,
    dim,
    stateWidth,
    rawBytes,
    tableBytes,
    rssDeltaBytes,
    bytesPerRow: tableBytes / rows,
    ratio: tableBytes / rawBytes,
    insertRowsPerSec: rows / insertSeconds,
    findRowsPerSec: rows / findSeconds,
  };
}

/** Seconds to find every key once; visits keys in a stride order so lookups hit the slots as randomly as pulls do. */
function timeFinds(table: RowTable, rows: number): number {
  const stride = coprimeStride(rows);
  let checksum = 0;
  const start = performance.now();
  for (let n = 0, i = 0; n < rows; n++, i = (i + stride) % rows) {
    const index = table.find(i % TABLES, featureId(i));
    if (index !== i) throw new Error(`key ${i} found at row ${index}`);
    checksum += index;
  }
  const seconds = (performance.now() - start) / 1000;
  if (checksum !== (rows * (rows - 1)) / 2) throw new Error("find visited some rows twice");
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A hashed feature id, unique per i (murmur3's fmix32 is a bijection). */
function featureId(i: number): number {
  let x = Math.imul(i, 0x9e3779b1) ^ 0x5bd1e995;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A stride near rows × golden ratio that shares no factor with rows, so it visits each index once. */
function coprimeStride(rows: number): number {
  let stride = Math.max(1, Math.floor(rows * 0.6180339887));
  while (gcd(stride, rows) !== 1) stride++;
  return stride;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Collects garbage (when run with --expose-gc) and lets freed pages go back before RSS is read. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 2; round++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

function machine(): {
  cpu: string;
  cores: number;
  totalMemoryBytes: number;
  loadAverage1m: number;
  node: string;
  os: string;
  date: string;
} {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    totalMemoryBytes: os.totalmem(),
    // Recorded because other work on a small machine moves the throughput numbers a lot.
    loadAverage1m: os.loadavg()[0] ?? 0,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

function markdown(result: ShardMemoryResult, host: ReturnType<typeof machine>, gcExposed: boolean): string {
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const rate = (perSec: number): string => `${(perSec / 1e6).toFixed(2)} M rows/s`;
  return [
    "# Shard memory: RowTable",
    "",
    `${result.rows.toLocaleString("en-US")} rows, dim ${result.dim}, Adagrad state (width ${result.stateWidth} float32), ` +
      `keys = (i % ${TABLES}, hashed u32). Produced by ` +
      `\`node --expose-gc dist/bench/shard-memory.js --rows ${result.rows} --dim ${result.dim}\`. ` +
      "Insert includes writing each new row's initial values; find visits keys in a stride order unrelated to insertion (median of 3 passes).",
    "",
    "| metric | value |",
    "| --- | --- |",
    `| raw row bytes | ${mib(result.rawBytes)} |`,
    `| table bytes (byteLength) | ${mib(result.tableBytes)} |`,
    `| bytes per row | ${result.bytesPerRow.toFixed(1)} (raw ${result.stateWidth * 4}) |`,
    `| ratio table / raw | ${result.ratio.toFixed(3)} |`,
    `| RSS delta | ${mib(result.rssDeltaBytes)} (${(result.rssDeltaBytes / result.rawBytes).toFixed(3)} × raw${gcExposed ? "" : ", no --expose-gc"}) |`,
    `| insert (incl. row init) | ${rate(result.insertRowsPerSec)} |`,
    `| find | ${rate(result.findRowsPerSec)} |`,
    "",
    `Machine: ${host.cpu}, ${host.cores} cores, ${mib(host.totalMemoryBytes)} RAM, ${host.os}, Node ${host.node}, ` +
      `load average ${host.loadAverage1m.toFixed(2)} at the end, ${host.date}.`,
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: "string", default: "10000000" }, dim: { type: "string", default: "16" } },
  });
  const result = await measureShardMemory({ rows: Number(values.rows), dim: Number(values.dim) });
  const host = machine();
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === "function";
  const record = { bench: "shard-memory", ...result, gcExposed, machine: host };
  const dir = path.join(repoRoot(path.dirname(fileURLToPath(import.meta.url))), "bench", "results");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "shard-memory.json"), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(dir, "shard-memory.md"), markdown(result, host, gcExposed));
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
