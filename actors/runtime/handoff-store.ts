/**
 * Where a moving partition's state waits for its new owner: a JetStream stream, one
 * subject per handoff chunk, file storage (either side may crash and come back). The old
 * owner stores the handoff in the background after the `log.map` entry; the new owner
 * waits for it before it reads past the same entry, and every pull of the new owner
 * waits meanwhile, so storing and fetching are kept to one round trip each in the
 * common case: a handoff under the chunk size is one message, fetched by subject.
 * Larger ones are chunked (a partition can exceed a NATS message); chunk 0, stored last,
 * carries the count, so its presence means the whole handoff is there.
 *
 * A handoff is named by (job, partition, stream sequence) and is deterministic (the old
 * owner's state is a function of the log before that sequence), so after a crash the
 * old owner makes it again only when it was never stored. (A JetStream object store was
 * the first version: a put and a get cost several round trips and an ephemeral consumer
 * each, and on a loaded machine the move pause was half a second; docs/decisions.md.)
 */
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { DiscardPolicy, jetstream, jetstreamManager, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import {
  decodeMessage, encodeMessage, handoffName, handoffStream, ProtocolError, RejectReason, subjects, tensor, type PartitionHandoff,
} from "../../protocols/index.js";

/** Largest handoff accepted when reading one back: far above any partition we run. */
const MAX_HANDOFF_BYTES = 4 * 1024 * 1024 * 1024;
/** Bytes per chunk: well under the server's max_payload (16 MiB by default, 1 MiB at the least). */
const CHUNK_BYTES = 768 * 1024;
const CHUNKS_HEADER = "Colony-Chunks";
const NO_MESSAGE = 10037;
const STREAM_NOT_FOUND = 10059;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates the handoff stream of a cluster if missing (coordinator, at job start). */
export async function openHandoffStream(jsm: JetStreamManager, cluster: string): Promise<void> {
  try {
    await jsm.streams.info(handoffStream(cluster));
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND)) throw err;
    await jsm.streams.add({
      name: handoffStream(cluster), subjects: [subjects.handoffAll(cluster)], storage: StorageType.File,
      retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_msgs_per_subject: 1, num_replicas: 1,
    });
  }
}

export class HandoffStore {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #jobId: string;
  #jsm: Promise<JetStreamManager> | undefined;

  constructor(opts: { nc: NatsConnection; cluster: string; jobId: string }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#jobId = opts.jobId;
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= jetstreamManager(this.#nc);
    this.#jsm.catch(() => { this.#jsm = undefined; });
    return this.#jsm;
  }

  #subject(partition: number, atSeq: number, chunk: number): string {
    return subjects.handoff(this.#cluster, `${this.#jobId}-${handoffName(partition, atSeq)}`, chunk);
  }

  /** The stored message on `subject`, or undefined. */
  async #get(subject: string): Promise<{ data: Uint8Array; chunks: number } | undefined> {
    try {
      const m = await (await this.#manager()).streams.getMessage(handoffStream(this.#cluster), { last_by_subj: subject });
      if (!m) return undefined;
      return { data: m.data, chunks: Number(m.header?.get(CHUNKS_HEADER) ?? "1") };
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === NO_MESSAGE) return undefined;
      throw err;
    }
  }

  /** Whether the handoff of `partition` at `atSeq` is stored (the coordinator waits for a draining shard's). */
  async stored(partition: number, atSeq: number): Promise<boolean> {
    return (await this.#get(this.#subject(partition, atSeq, 0))) !== undefined;
  }

  /**
   * Stores a handoff unless one is stored under its name already; returns the bytes
   * written (0 when it was there). The first copy wins: an old owner replaying to the
   * entry after a crash may no longer find the log entries the new owner has purged
   * since, and must not overwrite the copy that was made from all of them.
   */
  async put(h: PartitionHandoff): Promise<number> {
    if (await this.stored(h.partition, h.atSeq)) return 0;
    const bytes = encodeMessage({
      ...h, tables: h.tables.map((t) => ({ ...t, ids: tensor(t.ids), params: tensor(t.params), state: tensor(t.state) })),
    });
    const chunks = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
    const js = jetstream(this.#nc);
    // Chunk 0 last: once it is stored, every chunk is.
    for (let i = chunks - 1; i >= 0; i--) {
      const hdr = headers();
      hdr.set(CHUNKS_HEADER, String(chunks));
      await js.publish(this.#subject(h.partition, h.atSeq, i), bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), { headers: hdr, timeout: 30_000 });
    }
    return bytes.byteLength;
  }

  /** Waits for the handoff of `partition` at `atSeq` and returns it; rejects when `signal` aborts. */
  async take(partition: number, atSeq: number, signal: AbortSignal): Promise<PartitionHandoff> {
    // Poll: the old owner is usually a few milliseconds behind (every pull of this shard
    // waits meanwhile, so poll often); after a crash it may be seconds (restart, snapshot,
    // replay), so past two seconds the wait backs off to a quarter second.
    const started = performance.now();
    for (let wait = 2; ; wait = performance.now() - started < 2000 ? Math.min(20, wait * 2) : 250) {
      if (signal.aborted) throw new Error(`stopped while waiting for the handoff of partition ${partition} at ${atSeq}`);
      try {
        const first = await this.#get(this.#subject(partition, atSeq, 0));
        if (first) return this.#decode(partition, atSeq, await this.#rest(partition, atSeq, first));
      } catch (err) {
        // A malformed handoff will not get better by waiting; anything else (a NATS
        // restart, a timeout) is retried.
        if (signal.aborted || err instanceof ProtocolError) throw err;
      }
      await sleep(wait);
    }
  }

  /** All chunks of a handoff, given its first. */
  async #rest(partition: number, atSeq: number, first: { data: Uint8Array; chunks: number }): Promise<Uint8Array> {
    if (!(Number.isInteger(first.chunks) && first.chunks >= 1)) {
      throw new ProtocolError(RejectReason.InvalidField, `handoff of partition ${partition} at ${atSeq}: bad chunk count ${first.chunks}`);
    }
    if (first.chunks === 1) return first.data;
    const parts = [first.data];
    for (let i = 1; i < first.chunks; i++) {
      const c = await this.#get(this.#subject(partition, atSeq, i));
      if (!c) throw new ProtocolError(RejectReason.WrongShape, `handoff of partition ${partition} at ${atSeq}: chunk ${i} of ${first.chunks} is missing`);
      parts.push(c.data);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.byteLength; }
    return out;
  }

  #decode(partition: number, atSeq: number, bytes: Uint8Array): PartitionHandoff {
    const h = decodeMessage(bytes, ["ps.handoff"], MAX_HANDOFF_BYTES);
    if (h.partition !== partition || h.atSeq !== atSeq) {
      throw new ProtocolError(RejectReason.WrongShape, `handoff named for partition ${partition} at ${atSeq} holds partition ${h.partition} at ${h.atSeq}`);
    }
    return h;
  }
}
