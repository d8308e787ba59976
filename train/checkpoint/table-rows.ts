/**
 * One table's rows as flat arrays, the form rows take between a shard's store and the
 * files of a checkpoint or snapshot; and reading such a file back into a typed array.
 */
import { readFile } from "node:fs/promises";

/** One table's rows: ids, params (dim per row), optimizer state (stateWidth per row). */
export type { TableRows } from "../../protocols/index.js";

/** Reads a raw little-endian array file into a fresh, aligned typed array (Node's Buffer may share a pool at any offset). */
export async function readTypedFile<T extends Float32Array | Uint32Array>(file: string, C: { new (b: ArrayBuffer): T }): Promise<T> {
  const buf = await readFile(file);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new C(copy);
}
