/**
 * A worker's side of the update log: the gradients of one batch become one entry per
 * partition (more when a partition's rows exceed the payload limit), appended to that
 * partition's log subject. A push is done when JetStream has stored every entry; which
 * shard applies them, and when, is the shards' business, so a shard that dies or moves
 * never loses or redirects a push.
 *
 * Every entry has a fixed (producer, seq) and `Nats-Msg-Id` before its first attempt, so
 * a retry after an unknown outcome is dropped by the server, or by the shard's own
 * record after the server's dedupe window. At most one entry per partition is in flight
 * (a partition with more than one entry sends them in waves), so a partition's seqs
 * reach its log in increasing order even through retries: a shard can then keep one
 * highest seq per (partition, producer).
 *
 * Entries are published as plain NATS messages with a reply subject on one shared
 * inbox, which JetStream answers with its PubAck, instead of one JetStream request per
 * entry: a batch touches up to P partitions, and this way appends run ~4× faster here
 * (docs/decisions.md, "The update log").
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { Logger } from "pino";
import {
  encodeMessage, logMsgId, partitionOf, subjects, syncMsgId, tensor, TransientError, type PartitionMap, type BatchOrigin, type SyncStep,
} from "../../protocols/index.js";
import type { BatchPlan, Model } from "../../train/types.js";
import type { Counters } from "../runtime/counters.js";

/** One log entry, ready to append. */
interface Entry {
  readonly partition: number;
  readonly seq: number;
  readonly keys: number;
  readonly bytes: Uint8Array;
  readonly msgId: string;
}

const MAX_ATTEMPTS = 6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const decoder = new TextDecoder();

/** What JetStream answered to one append: stored (maybe as a duplicate), or refused. */
type Ack = { readonly ok: true; readonly seq: number; readonly duplicate: boolean } | { readonly ok: false; readonly error: string };

function parseAck(m: Msg): Ack {
  try {
    const a = JSON.parse(decoder.decode(m.data)) as { seq?: unknown; duplicate?: unknown; error?: { description?: unknown } };
    if (typeof a.seq === "number") return { ok: true, seq: a.seq, duplicate: a.duplicate === true };
    return { ok: false, error: String(a.error?.description ?? "no sequence in the answer") };
  } catch {
    return { ok: false, error: `unreadable answer${m.headers?.code ? ` (status ${m.headers.code})` : ""}` };
  }
}

export class UpdateLogWriter {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #jobId: string;
  readonly #model: Model;
  readonly #producer: string;
  readonly #partitions: number;
  readonly #log: Logger;
  readonly #counters: Counters;
  readonly #timeoutMs: number;
  /** Largest gradient payload of one entry: well under the server's max_payload. */
  readonly #entryBytes: number;
  #seq = 0;
  readonly #inbox = createInbox();
  #acks: Subscription | undefined;
  /** Appends waiting for their PubAck, by the token of their reply subject. */
  readonly #waiting = new Map<string, (ack: Ack) => void>();
  #token = 0;
  #status: ReturnType<NatsConnection["status"]> | undefined;
  /** Highest log sequence stored per partition, for the pulls' `after`. */
  readonly #lastSeq = new Map<number, number>();

  constructor(opts: {
    nc: NatsConnection; cluster: string; jobId: string; model: Model; producer: string; partitions: number;
    log: Logger; counters: Counters; timeoutMs: number; maxPayload: number;
  }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#jobId = opts.jobId;
    this.#model = opts.model;
    this.#producer = opts.producer;
    this.#partitions = opts.partitions;
    this.#log = opts.log;
    this.#counters = opts.counters;
    this.#timeoutMs = opts.timeoutMs;
    this.#entryBytes = Math.max(64 * 1024, Math.floor(opts.maxPayload / 2) - 4096);
    void this.#retryAfterReconnect();
  }

  /**
   * An answer in flight when the connection dropped never comes: on reconnect, every
   * append still waiting is answered "lost" and so retried at once (same message id, so
   * the server stores it once), instead of after the full timeout. A NATS restart cost
   * the workers 10 s without this (chaos/scenarios/nats-restart.yaml).
   */
  async #retryAfterReconnect(): Promise<void> {
    this.#status = this.#nc.status();
    for await (const s of this.#status) {
      if (s.type !== "reconnect") continue;
      const lost = [...this.#waiting.values()];
      this.#waiting.clear();
      if (lost.length > 0) this.#counters.inc("log.append.lost_on_reconnect", lost.length);
      for (const settle of lost) settle({ ok: false, error: "the connection was re-established; the answer was lost" });
    }
  }

  /**
   * Appends the gradient of every row of the plan; resolves once the log has stored all
   * of it, with the lowest stream sequence any of its entries got (undefined for an
   * empty plan). In sync mode the entries carry their step and micro-batch, and ids
   * that are the same whichever worker computed that micro-batch.
   */
  async push(plan: BatchPlan, grads: Float32Array, origin: BatchOrigin, sync?: SyncStep): Promise<number | undefined> {
    const byPartition = [...this.#entries(plan, grads, origin, sync).values()];
    const waves = Math.max(0, ...byPartition.map((e) => e.length));
    let firstSeq: number | undefined;
    for (let w = 0; w < waves; w++) {
      const lowest = await this.#appendAll(byPartition.flatMap((entries) => (w < entries.length ? [entries[w]!] : [])));
      if (lowest !== undefined) firstSeq = Math.min(firstSeq ?? lowest, lowest);
    }
    return firstSeq;
  }

  /**
   * Highest log sequence this writer stored in a partition `shard` owns: a pull from that
   * shard waits until it has read that far (an entry of its own partitions, which no
   * other shard purges).
   */
  lastSeqOwnedBy(map: PartitionMap, shard: string): number {
    let max = 0;
    for (const [p, seq] of this.#lastSeq) if (seq > max && map.owners[p] === shard) max = seq;
    return max;
  }

  /** Stops listening for acknowledgements. */
  close(): void {
    // The client's status iterator can be stopped, though its type does not say so.
    (this.#status as { stop?: () => void } | undefined)?.stop?.();
    this.#acks?.unsubscribe();
    this.#acks = undefined;
  }

  /** Cuts the plan's rows into entries, grouped by partition, seqs in order within each. */
  #entries(plan: BatchPlan, grads: Float32Array, origin: BatchOrigin, sync: SyncStep | undefined): Map<number, Entry[]> {
    const { tables, ids } = plan.keys;
    const members = new Map<number, number[]>();
    for (let k = 0; k < tables.length; k++) {
      const p = partitionOf(tables[k]!, ids[k]!, this.#partitions);
      let list = members.get(p);
      if (!list) members.set(p, (list = []));
      list.push(k);
    }
    const out = new Map<number, Entry[]>();
    for (const [p, list] of members) {
      const entries: Entry[] = [];
      let start = 0;
      let floats = 0;
      for (let i = 0; i <= list.length; i++) {
        const dim = i < list.length ? this.#model.dim(tables[list[i]!]!) : 0;
        if (i === list.length || (floats + dim) * 4 > this.#entryBytes) {
          if (i > start) entries.push(this.#entry(p, list.slice(start, i), floats, plan, grads, origin, sync, entries.length));
          start = i;
          floats = 0;
        }
        floats += dim;
      }
      out.set(p, entries);
    }
    return out;
  }

  #entry(
    partition: number, keys: number[], floats: number, plan: BatchPlan, grads: Float32Array, batch: BatchOrigin, sync: SyncStep | undefined, part: number,
  ): Entry {
    const { tables, ids } = plan.keys;
    const g = new Float32Array(floats);
    let o = 0;
    for (const k of keys) {
      const dim = this.#model.dim(tables[k]!);
      const from = plan.rowOffset[k]!;
      g.set(grads.subarray(from, from + dim), o);
      o += dim;
    }
    const seq = this.#seq++;
    const bytes = encodeMessage({
      v: 1, type: "log.update", producer: this.#producer, seq, partition,
      tables: tensor(Uint32Array.from(keys, (k) => tables[k]!)), ids: tensor(Uint32Array.from(keys, (k) => ids[k]!)), grads: tensor(g), batch,
      ...(sync ? { step: sync.step, micro: sync.micro, part } : {}),
    });
    const msgId = sync ? `${syncMsgId(this.#jobId, sync.step, sync.micro, partition)}.${part}` : logMsgId(this.#producer, seq, partition);
    return { partition, seq, keys: keys.length, bytes, msgId };
  }

  /**
   * Appends entries (at most one per partition), retrying those without a positive
   * answer, with the same message ids, until the server has stored every one; resolves
   * with the lowest stream sequence they got.
   */
  async #appendAll(entries: Entry[]): Promise<number | undefined> {
    this.#acks ??= this.#nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, m) => {
        if (err) return;
        const token = m.subject.slice(this.#inbox.length + 1);
        const settle = this.#waiting.get(token);
        this.#waiting.delete(token);
        settle?.(parseAck(m));
      },
    });
    let pending = entries;
    let lowest: number | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const answers = await Promise.all(pending.map((e) => this.#publish(e)));
      const failed: Entry[] = [];
      let lastError = "";
      answers.forEach((a, i) => {
        const e = pending[i]!;
        if (a.ok) {
          if (a.duplicate) this.#counters.inc("log.append.duplicate");
          if (a.seq > (this.#lastSeq.get(e.partition) ?? 0)) this.#lastSeq.set(e.partition, a.seq);
          lowest = Math.min(lowest ?? a.seq, a.seq);
          this.#counters.inc("log.appended");
          this.#counters.inc("rows.pushed", e.keys);
          this.#counters.inc("bytes.pushed", e.bytes.byteLength);
        } else {
          failed.push(e);
          lastError = a.error;
        }
      });
      pending = failed;
      if (pending.length === 0) return lowest;
      if (attempt >= MAX_ATTEMPTS) {
        throw new UpdateLogError(`${pending.length} update-log entries were not stored after ${attempt} attempts (last answer: ${lastError})`);
      }
      this.#counters.inc("retries.push", pending.length);
      this.#log.debug({ entries: pending.length, attempt, lastError }, "update-log appends will be retried");
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
    return lowest;
  }

  /** Publishes one entry and resolves with the server's answer, or a timeout. */
  #publish(e: Entry): Promise<Ack> {
    const token = (this.#token++).toString(36);
    const h = headers();
    h.set("Nats-Msg-Id", e.msgId);
    return new Promise<Ack>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(token);
        resolve({ ok: false, error: `no answer within ${this.#timeoutMs} ms` });
      }, this.#timeoutMs);
      this.#waiting.set(token, (ack) => { clearTimeout(timer); resolve(ack); });
      this.#nc.publish(subjects.log(this.#cluster, e.partition), e.bytes, { reply: `${this.#inbox}.${token}`, headers: h });
    });
  }
}

/** The update log did not store a push; the worker gives the task up and leases again (check the NATS server's JetStream). */
export class UpdateLogError extends TransientError {
  constructor(message: string) {
    super("log.append_failed", `${message}; is JetStream on the NATS server healthy?`);
  }
}
