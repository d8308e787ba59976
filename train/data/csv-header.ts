/**
 * The header line of a CSV file: its column names and the offset where data begins.
 * Read once per file and cached by path, revalidated by size and mtime, because every
 * task of a file needs it and tasks are many.
 */
import { open, stat } from "node:fs/promises";
import { DataSpecError } from "./data-spec.js";

/** A CSV file's column names (trimmed) and the file offset of its first data line. */
export interface CsvHeader {
  readonly columns: readonly string[];
  readonly dataStart: number;
}

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly header: Promise<CsvHeader>;
}

const cache = new Map<string, CacheEntry>();
const HEADER_READ_BYTES = 64 * 1024;

/** Reads (or recalls) the header of a CSV file split by the given one-character delimiter. */
export async function readCsvHeader(path: string, delimiter: string): Promise<CsvHeader> {
  const { size, mtimeMs } = await stat(path);
  const key = `${delimiter}\u0000${path}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.size === size && hit.mtimeMs === mtimeMs) return hit.header;
  const header = readHeaderLine(path).then(({ line, dataStart }) => ({
    columns: line.split(delimiter).map((c) => c.trim()),
    dataStart,
  }));
  cache.set(key, { size, mtimeMs, header });
  header.catch(() => cache.delete(key));
  return header;
}

async function readHeaderLine(path: string): Promise<{ line: string; dataStart: number }> {
  const handle = await open(path, "r");
  try {
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(HEADER_READ_BYTES);
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead === 0) break;
      const newline = buf.subarray(0, bytesRead).indexOf(10);
      if (newline >= 0) {
        parts.push(buf.subarray(0, newline));
        position += newline + 1;
        return { line: decodeLine(Buffer.concat(parts)), dataStart: position };
      }
      parts.push(buf.subarray(0, bytesRead));
      position += bytesRead;
    }
    if (position === 0) throw new DataSpecError(`${path} is empty: a CSV file needs a header line`);
    return { line: decodeLine(Buffer.concat(parts)), dataStart: position };
  } finally {
    await handle.close();
  }
}

/** UTF-8 text of a line without a BOM or trailing CR. */
function decodeLine(bytes: Buffer): string {
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  return text;
}
