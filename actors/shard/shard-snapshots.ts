/**
 * Periodic snapshots of a shard's rows, so a restarted shard comes back with what it had
 * learned instead of fresh rows. A snapshot is one consistent cut (rows copied out
 * synchronously, with the shard's (producer, seq) record), written to a temporary
 * directory and renamed into place, then published by atomically replacing the LATEST
 * pointer: a crash mid-write leaves the previous snapshot usable. Snapshots of another
 * job (another job id) are ignored.
 *
 * Until the update log lands (pushes appended to JetStream and replayed after the
 * snapshot), a shard killed between snapshots loses the updates applied since the last
 * one: at most one snapshot interval of learning.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { CheckpointPart } from "../../protocols/index.js";
import { writeRows, type ParameterStore, type TableRows } from "./parameter-store.js";

interface SnapshotMeta {
  readonly jobId: string;
  readonly shardId: string;
  readonly createdAt: string;
  readonly parts: CheckpointPart[];
  readonly appliedSeq: [string, number][];
}

async function readArray<T extends Float32Array | Uint32Array>(file: string, C: { new (b: ArrayBuffer): T }): Promise<T> {
  const buf = await readFile(file);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new C(copy);
}

export class ShardSnapshots {
  readonly #dir: string;
  readonly #shardId: string;
  readonly #jobId: string;
  readonly #log: Logger;
  #saving = false;
  #seq = 0;

  constructor(opts: { dir: string; shardId: string; jobId: string; log: Logger }) {
    this.#dir = opts.dir;
    this.#shardId = opts.shardId;
    this.#jobId = opts.jobId;
    this.#log = opts.log;
  }

  /** Takes a snapshot now unless one is being written; resolves once it is the latest. */
  async save(store: ParameterStore, appliedSeq: ReadonlyMap<string, number>): Promise<boolean> {
    if (this.#saving) return false;
    this.#saving = true;
    try {
      const t0 = performance.now();
      const rows = store.exportRows();
      const seqs = [...appliedSeq];
      const name = `snap-${Date.now()}-${this.#seq++}`;
      const tmp = join(this.#dir, `${name}.tmp`);
      await rm(tmp, { recursive: true, force: true });
      const parts = await writeRows(tmp, this.#shardId, rows);
      const meta: SnapshotMeta = { jobId: this.#jobId, shardId: this.#shardId, createdAt: new Date().toISOString(), parts, appliedSeq: seqs };
      await writeFile(join(tmp, "meta.json"), JSON.stringify(meta));
      await rename(tmp, join(this.#dir, name));
      await writeFile(join(this.#dir, "LATEST.tmp"), name);
      await rename(join(this.#dir, "LATEST.tmp"), join(this.#dir, "LATEST"));
      for (const old of await readdir(this.#dir)) {
        if (old.startsWith("snap-") && old !== name) await rm(join(this.#dir, old), { recursive: true, force: true });
      }
      this.#log.debug({ snapshot: name, rows: rows.reduce((n, t) => n + t.ids.length, 0), ms: Math.round(performance.now() - t0) }, "snapshot written");
      return true;
    } finally {
      this.#saving = false;
    }
  }

  /** Loads the latest snapshot of this job into `store` and `appliedSeq`; undefined when there is none. */
  async restore(store: ParameterStore, appliedSeq: Map<string, number>): Promise<{ rows: number; createdAt: string } | undefined> {
    await mkdir(this.#dir, { recursive: true });
    let name: string;
    try {
      name = (await readFile(join(this.#dir, "LATEST"), "utf8")).trim();
    } catch {
      return undefined;
    }
    const dir = join(this.#dir, name);
    const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as SnapshotMeta;
    if (meta.jobId !== this.#jobId) return undefined;
    const rows: TableRows[] = [];
    for (const p of meta.parts) {
      rows.push({
        table: p.table, dim: p.dim, stateWidth: p.stateWidth,
        ids: await readArray(join(dir, p.ids), Uint32Array),
        params: await readArray(join(dir, p.params), Float32Array),
        state: await readArray(join(dir, p.state), Float32Array),
      });
    }
    store.importRows(rows);
    for (const [producer, seq] of meta.appliedSeq) appliedSeq.set(producer, seq);
    return { rows: rows.reduce((n, t) => n + t.ids.length, 0), createdAt: meta.createdAt };
  }
}
