/**
 * Periodic snapshots of a shard's rows: a restarted shard loads the latest one and
 * replays the update log after its cut, so it comes back with everything it had applied.
 * A snapshot is one consistent cut (rows copied out synchronously, with the shard's
 * ledger: how far it had read the log and what it had applied), written to a temporary
 * directory and renamed into place, then published by atomically replacing the LATEST
 * pointer: a crash mid-write leaves the previous snapshot usable. Snapshots of another
 * job (another job id) are ignored.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { CheckpointPart } from "../../protocols/index.js";
import { readTypedFile, type TableRows } from "../../train/checkpoint/index.js";
import { importRowsYielding, writeRows, type ParameterStore } from "./parameter-store.js";
import { PartitionLedger, type LedgerRecord } from "./partition-ledger.js";

interface SnapshotMeta {
  readonly jobId: string;
  readonly shardId: string;
  readonly createdAt: string;
  readonly parts: CheckpointPart[];
  readonly ledger: LedgerRecord;
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

  /**
   * Takes a snapshot now unless one is being written or `cut` has none; resolves with the
   * ledger it saved once it is the latest (undefined when skipped).
   */
  async save(store: ParameterStore, cut: () => LedgerRecord | undefined): Promise<LedgerRecord | undefined> {
    if (this.#saving) return undefined;
    // No consistent cut right now (a handoff since the last sync commit): try next time.
    const ledger = cut();
    if (!ledger) return undefined;
    this.#saving = true;
    try {
      const t0 = performance.now();
      // Synchronously with the cut: no entry can be applied between the two.
      const rows = store.exportRows();
      const name = `snap-${Date.now()}-${this.#seq++}`;
      const tmp = join(this.#dir, `${name}.tmp`);
      await rm(tmp, { recursive: true, force: true });
      const parts = await writeRows(tmp, this.#shardId, rows);
      const meta: SnapshotMeta = { jobId: this.#jobId, shardId: this.#shardId, createdAt: new Date().toISOString(), parts, ledger };
      await writeFile(join(tmp, "meta.json"), JSON.stringify(meta));
      await rename(tmp, join(this.#dir, name));
      await writeFile(join(this.#dir, "LATEST.tmp"), name);
      await rename(join(this.#dir, "LATEST.tmp"), join(this.#dir, "LATEST"));
      for (const old of await readdir(this.#dir)) {
        if (old.startsWith("snap-") && old !== name) await rm(join(this.#dir, old), { recursive: true, force: true });
      }
      this.#log.debug({ snapshot: name, rows: rows.reduce((n, t) => n + t.ids.length, 0), ms: Math.round(performance.now() - t0) }, "snapshot written");
      return ledger;
    } finally {
      this.#saving = false;
    }
  }

  /** Loads the latest snapshot of this job into `store`, with its ledger; undefined when there is none. */
  async restore(store: ParameterStore): Promise<{ rows: number; createdAt: string; ledger: PartitionLedger } | undefined> {
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
        ids: await readTypedFile(join(dir, p.ids), Uint32Array),
        params: await readTypedFile(join(dir, p.params), Float32Array),
        state: await readTypedFile(join(dir, p.state), Float32Array),
      });
    }
    await importRowsYielding(store, rows);
    return { rows: rows.reduce((n, t) => n + t.ids.length, 0), createdAt: meta.createdAt, ledger: PartitionLedger.fromRecord(meta.ledger) };
  }
}
