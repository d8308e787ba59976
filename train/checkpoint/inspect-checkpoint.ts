/**
 * What a checkpoint holds, summarised without scoring it: the job it came from, its row
 * counts per table and per shard, and a SHA-256 digest of every parameter tensor and of
 * the optimizer state. Digests are computed from the partition-independent view (rows
 * sorted by id, dense tensors cut out of their blocks), so the same parameters give the
 * same digests whatever the number of shards or the partition map that wrote them.
 *
 * Digest definitions (little-endian bytes, SHA-256, hex):
 * - dense tensor: its fp32 values in row-major order;
 * - table params: every row in ascending id order, ids (u32) then params (fp32): H(ids ‖ params);
 * - table state: the same with the optimizer state: H(ids ‖ state);
 * - checkpoint params: H over the lines "name sha256\n" of the dense tensors and the
 *   sparse tables' params, in name order; checkpoint state likewise over every table's state.
 */
import { createHash } from "node:crypto";
import { DENSE_TABLE } from "../types.js";
import { denseTensorsOf, modelOptionsOf } from "./dense-tensors.js";
import type { CheckpointManifest } from "./manifest.js";
import { readManifest } from "./read-checkpoint.js";
import { readSortedTable, type SortedTable } from "./sorted-table.js";

/** A dense tensor's name, shape and digest. */
export interface TensorDigest {
  readonly name: string;
  readonly shape: readonly number[];
  readonly sha256: string;
}

/** One table: its rows (in all and per shard) and the digests of its params and state. */
export interface TableDigest {
  readonly table: number;
  /** `embeddings.<f>` for categorical field f, `dense.blocks` for the dense parameter blocks. */
  readonly name: string;
  readonly rows: number;
  readonly dim: number;
  readonly stateWidth: number;
  readonly rowsPerShard: Readonly<Record<string, number>>;
  readonly params: string;
  readonly state: string;
}

/** The whole summary `colony inspect` prints. */
export interface CheckpointInspection {
  readonly checkpoint: string;
  readonly format: string;
  readonly version: number;
  readonly cluster: string;
  readonly createdAt: string;
  /** The job's step, when the checkpoint records one. */
  readonly step: number | null;
  readonly rowsTrained: number;
  readonly model: CheckpointManifest["model"];
  readonly data: CheckpointManifest["data"];
  readonly optimizer: CheckpointManifest["optimizer"];
  readonly partitions: number;
  readonly shards: readonly string[];
  /** Rows stored over all tables, dense blocks included. */
  readonly rows: number;
  readonly tables: readonly TableDigest[];
  readonly dense: readonly TensorDigest[];
  readonly digest: { readonly params: string; readonly state: string };
}

/** The name a table has in digests and exports. */
export function tableName(table: number): string {
  return table === DENSE_TABLE ? "dense.blocks" : `embeddings.${table}`;
}

const bytesOf = (a: Uint32Array | Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const sha256 = (...parts: Uint8Array[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

const combine = (entries: readonly [string, string][]): string =>
  sha256(Buffer.from([...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([n, d]) => `${n} ${d}\n`).join(""), "utf8"));

/** Reads the checkpoint in `dir`, one table at a time, and digests every tensor. Throws CheckpointError if it is unusable. */
export async function inspectCheckpoint(dir: string): Promise<CheckpointInspection> {
  const manifest = await readManifest(dir);
  const tables: TableDigest[] = [];
  let dense: SortedTable | undefined;
  const shards = new Set<string>();
  for (const t of [...manifest.tables].sort((a, b) => a.table - b.table)) {
    const sorted = await readSortedTable(dir, t);
    if (t.table === DENSE_TABLE) dense = sorted;
    const rowsPerShard: Record<string, number> = {};
    for (const p of t.parts) {
      shards.add(p.shard);
      rowsPerShard[p.shard] = (rowsPerShard[p.shard] ?? 0) + p.rows;
    }
    tables.push({
      table: t.table, name: tableName(t.table), rows: sorted.ids.length, dim: t.dim, stateWidth: t.stateWidth, rowsPerShard,
      params: sha256(bytesOf(sorted.ids), bytesOf(sorted.params)),
      state: sha256(bytesOf(sorted.ids), bytesOf(sorted.state)),
    });
  }
  const denseDigests = denseTensorsOf(modelOptionsOf(manifest), dense)
    .map((d) => ({ name: d.name, shape: d.shape, sha256: sha256(bytesOf(d.data)) }));
  const paramEntries: [string, string][] = [
    ...denseDigests.map((d): [string, string] => [d.name, d.sha256]),
    ...tables.filter((t) => t.table !== DENSE_TABLE).map((t): [string, string] => [t.name, t.params]),
  ];
  const step = (manifest as unknown as { step?: unknown }).step;
  return {
    checkpoint: dir,
    format: manifest.format,
    version: manifest.version,
    cluster: manifest.cluster,
    createdAt: manifest.createdAt,
    step: typeof step === "number" ? step : null,
    rowsTrained: manifest.rowsTrained,
    model: manifest.model,
    data: manifest.data,
    optimizer: manifest.optimizer,
    partitions: manifest.partitions,
    shards: [...shards].sort(),
    rows: tables.reduce((n, t) => n + t.rows, 0),
    tables,
    dense: denseDigests,
    digest: { params: combine(paramEntries), state: combine(tables.map((t) => [t.name, t.state])) },
  };
}
