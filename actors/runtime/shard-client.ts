/**
 * The parameter servers seen by a reader (a worker's step, the coordinator's held-out
 * evaluation): routes each key of a batch plan
 * to the shard that owns its partition, pulls in one request per shard (split into
 * chunks that fit the server's payload limit), and retries what is safe to retry (a
 * pull changes nothing). A redirect waits for a newer partition map and routes again.
 * Gradients go the other way through the update log (worker/update-log-writer.ts).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import {
  NotOwnerError, NotReadyError, partitionOf, PULL_ATTEMPT_MS, subjects, tensor, UnknownOutcomeError, type PartitionMap,
} from "../../protocols/index.js";
import type { BatchPlan, Model } from "../../train/types.js";
import type { Counters } from "./counters.js";
import { request } from "./request.js";

/** Keys of one request to one shard, and where they sit in the plan. */
interface Chunk {
  readonly shard: string;
  readonly keys: Int32Array;
  readonly tables: Uint32Array;
  readonly ids: Uint32Array;
  readonly floats: number;
}

/** The rows of one pull, and how far the update log had been read for them. */
export interface PulledRows {
  /** Every row of the plan, laid out as the plan says. */
  readonly params: Float32Array;
  /** Lowest update-log stream sequence the answering shards had read; undefined when a shard did not say. */
  readonly readPosition: number | undefined;
}

const MAX_ATTEMPTS = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ShardClient {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #model: Model;
  readonly #log: Logger;
  readonly #counters: Counters;
  readonly #pullTimeoutMs: number;
  /** Largest rows payload per request: well under the server's max_payload. */
  readonly #chunkBytes: number;
  #map: PartitionMap | undefined;
  #mapWaiters: (() => void)[] = [];

  constructor(opts: {
    nc: NatsConnection; cluster: string; model: Model; log: Logger; counters: Counters;
    pullTimeoutMs: number; maxPayload: number;
  }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#model = opts.model;
    this.#log = opts.log;
    this.#counters = opts.counters;
    this.#pullTimeoutMs = opts.pullTimeoutMs;
    this.#chunkBytes = Math.max(64 * 1024, Math.floor(opts.maxPayload / 2) - 4096);
  }

  /** Takes a newer partition map; older ones are ignored. */
  setMap(map: PartitionMap): void {
    if (this.#map && map.epoch <= this.#map.epoch) return;
    this.#map = map;
    const waiters = this.#mapWaiters;
    this.#mapWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once a map newer than `epoch` is known (or after a timeout, to re-check). */
  async #mapAfter(epoch: number, timeoutMs = 2000): Promise<PartitionMap> {
    if (this.#map && this.#map.epoch > epoch) return this.#map;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#mapWaiters.push(() => { clearTimeout(t); resolve(); });
    });
    if (!this.#map) throw new NotReadyError("partition map");
    return this.#map;
  }

  #route(map: PartitionMap, plan: BatchPlan, keys: Int32Array): Chunk[] {
    const byShard = new Map<string, number[]>();
    const { tables, ids } = plan.keys;
    for (const k of keys) {
      const shard = map.owners[partitionOf(tables[k]!, ids[k]!, map.partitions)]!;
      let list = byShard.get(shard);
      if (!list) byShard.set(shard, (list = []));
      list.push(k);
    }
    const chunks: Chunk[] = [];
    for (const [shard, list] of byShard) {
      let start = 0;
      let floats = 0;
      for (let i = 0; i <= list.length; i++) {
        const dim = i < list.length ? this.#model.dim(tables[list[i]!]!) : 0;
        if (i === list.length || (floats + dim) * 4 > this.#chunkBytes) {
          if (i > start) {
            const ks = Int32Array.from(list.slice(start, i));
            chunks.push({
              shard, keys: ks, floats,
              tables: Uint32Array.from(ks, (k) => tables[k]!),
              ids: Uint32Array.from(ks, (k) => ids[k]!),
            });
          }
          start = i;
          floats = 0;
        }
        floats += dim;
      }
    }
    return chunks;
  }

  async #map0(): Promise<PartitionMap> {
    return this.#map ?? this.#mapAfter(-1, 5000);
  }

  /**
   * Runs `send` for every chunk of `keys` (chunks to one shard in sequence, shards in
   * parallel), re-routing the chunks a shard redirects and retrying transient failures.
   */
  async #forEachChunk(plan: BatchPlan, keys: Int32Array, what: string, send: (c: Chunk, map: PartitionMap) => Promise<void>): Promise<void> {
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new NotReadyError(`${what} after ${MAX_ATTEMPTS} attempts`);
      const map = await this.#map0();
      const byShard = new Map<string, Chunk[]>();
      for (const c of this.#route(map, plan, pending)) {
        const list = byShard.get(c.shard) ?? [];
        list.push(c);
        byShard.set(c.shard, list);
      }
      const retry: Int32Array[] = [];
      let redirected = false;
      await Promise.all([...byShard.values()].map(async (chunks) => {
        for (const [i, c] of chunks.entries()) {
          try {
            await send(c, map);
          } catch (err) {
            if (!(err instanceof NotOwnerError || err instanceof NotReadyError || err instanceof UnknownOutcomeError)) throw err;
            if (err instanceof NotOwnerError) redirected = true;
            this.#counters.inc(`retries.${what}`);
            this.#log.debug({ shard: c.shard, err: err.message, attempt }, `${what} will be retried`);
            // The rest of this shard's chunks go again too, to keep their order.
            for (const rest of chunks.slice(i)) retry.push(rest.keys);
            return;
          }
        }
      }));
      pending = concat(retry);
      if (pending.length > 0) {
        if (redirected) await this.#mapAfter(map.epoch);
        else await sleep(Math.min(1000, 50 * 2 ** attempt));
      }
    }
  }

  /**
   * Pulls every row of the plan into one buffer laid out as the plan says, from shards
   * that have read the update log at least up to the sequence `after` gives for them.
   */
  async pull(plan: BatchPlan, after: (shard: string, map: PartitionMap) => number = () => 0): Promise<PulledRows> {
    const out = new Float32Array(plan.totalFloats);
    let readPosition: number | undefined;
    const all = Int32Array.from({ length: plan.keys.tables.length }, (_, i) => i);
    await this.#forEachChunk(plan, all, "pull", async (c, map) => {
      const r = await request(this.#nc, subjects.pull(this.#cluster, c.shard),
        { v: 1, type: "ps.pull", epoch: map.epoch, after: after(c.shard, map), tables: tensor(c.tables), ids: tensor(c.ids) },
        ["ps.rows"], { timeoutMs: Math.min(this.#pullTimeoutMs, PULL_ATTEMPT_MS) });
      if (r.rows.length !== c.floats) throw new NotReadyError(`shard ${c.shard} answered ${r.rows.length} floats for ${c.floats}`);
      let o = 0;
      for (const k of c.keys) {
        const dim = this.#model.dim(plan.keys.tables[k]!);
        out.set(r.rows.subarray(o, o + dim), plan.rowOffset[k]!);
        o += dim;
      }
      this.#counters.inc("rows.pulled", c.keys.length);
      // The oldest view among the answers bounds how current the whole batch is.
      if (r.position !== undefined) readPosition = Math.min(readPosition ?? r.position, r.position);
    });
    return { params: out, readPosition };
  }
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
