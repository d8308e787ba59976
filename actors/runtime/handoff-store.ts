/**
 * Where a moving partition's state waits for its new owner: a JetStream object store
 * (chunked, so a partition of any size fits, and durable, so either side may crash and
 * come back). The old owner puts the handoff before it reads past the `log.map` entry;
 * the new owner waits for it before it reads past the same entry. A handoff is named by
 * (job, partition, stream sequence), and is deterministic (the old owner's state is a
 * function of the log before that sequence), so a re-put after a crash writes the same
 * bytes under the same name.
 */
import { Objm, type ObjectStore } from "@nats-io/obj";
import { StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  decodeMessage, encodeMessage, handoffBucket, handoffName, ProtocolError, RejectReason, tensor, type PartitionHandoff,
} from "../../protocols/index.js";

/** Largest handoff accepted when reading one back: far above any partition we run. */
const MAX_HANDOFF_BYTES = 4 * 1024 * 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class HandoffStore {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #jobId: string;
  #store: Promise<ObjectStore> | undefined;

  constructor(opts: { nc: NatsConnection; cluster: string; jobId: string }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#jobId = opts.jobId;
  }

  #open(): Promise<ObjectStore> {
    // create() opens the bucket when it exists: both sides may be first.
    this.#store ??= new Objm(this.#nc).create(handoffBucket(this.#cluster), { storage: StorageType.File });
    this.#store.catch(() => { this.#store = undefined; });
    return this.#store;
  }

  #name(partition: number, atSeq: number): string {
    return `${this.#jobId}-${handoffName(partition, atSeq)}`;
  }

  /** Stores a handoff; returns its size in bytes. */
  async put(h: PartitionHandoff): Promise<number> {
    const bytes = encodeMessage({
      ...h, tables: h.tables.map((t) => ({ ...t, ids: tensor(t.ids), params: tensor(t.params), state: tensor(t.state) })),
    });
    const store = await this.#open();
    await store.putBlob({ name: this.#name(h.partition, h.atSeq) }, bytes);
    return bytes.byteLength;
  }

  /** Whether the handoff of `partition` at `atSeq` is stored (the coordinator waits for a draining shard's). */
  async stored(partition: number, atSeq: number): Promise<boolean> {
    return (await (await this.#open()).info(this.#name(partition, atSeq))) !== null;
  }

  /** Waits for the handoff of `partition` at `atSeq` and returns it; rejects when `signal` aborts. */
  async take(partition: number, atSeq: number, signal: AbortSignal): Promise<PartitionHandoff> {
    const name = this.#name(partition, atSeq);
    // Poll: the old owner is usually a few milliseconds behind (every pull of this shard
    // waits meanwhile, so poll often); after a crash it may be seconds (restart, snapshot,
    // replay), so past two seconds the wait backs off to a quarter second.
    const started = performance.now();
    for (let wait = 2; ; wait = performance.now() - started < 2000 ? Math.min(20, wait * 2) : 250) {
      if (signal.aborted) throw new Error(`stopped while waiting for the handoff of partition ${partition} at ${atSeq}`);
      try {
        const store = await this.#open();
        const bytes = await store.getBlob(name);
        if (bytes) {
          const h = decodeMessage(bytes, ["ps.handoff"], MAX_HANDOFF_BYTES);
          if (h.partition !== partition || h.atSeq !== atSeq) {
            throw new ProtocolError(RejectReason.WrongShape, `handoff ${name} holds partition ${h.partition} at ${h.atSeq}`);
          }
          return h;
        }
      } catch (err) {
        // A malformed handoff will not get better by waiting; anything else (a NATS
        // restart, a timeout) is retried.
        if (signal.aborted || err instanceof ProtocolError) throw err;
      }
      await sleep(wait);
    }
  }
}
