/**
 * A shard's side of the update log: reads the cluster's log stream in sequence order
 * from where its ledger stands, and applies the entries of the partitions it owns, each
 * exactly once. Reading is one ordered consumer over every partition's subject (the
 * server here, 2.9, filters a consumer on one subject only); entries of partitions the
 * shard does not own are skipped by subject, before any decoding.
 *
 * A malformed entry (bad bytes, non-finite gradients, keys outside its partition) is
 * counted, logged and skipped: one bad producer must not stop a partition.
 */
import { DeliverPolicy, jetstream, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import {
  decodeMessage, logStream, NotReadyError, partitionOf, partitionOfLogSubject, ProtocolError, RejectReason, subjects, type LogUpdate,
} from "../../protocols/index.js";
import type { Counters } from "../runtime/counters.js";
import { Verdict, type PartitionLedger } from "./partition-ledger.js";
import type { ParameterStore } from "./parameter-store.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class UpdateLogReader {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #store: ParameterStore;
  readonly #ledger: PartitionLedger;
  readonly #owns: (partition: number) => boolean;
  readonly #partitions: () => number;
  readonly #log: Logger;
  readonly #counters: Counters;
  #consumer: Consumer | undefined;
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  #reading: Promise<void> | undefined;
  /** Pulls waiting for the log to be read up to a sequence. */
  readonly #waiters = new Set<{ seq: number; resolve: () => void; reject: (err: Error) => void; deadline: number }>();
  #poll: NodeJS.Timeout | undefined;
  /** Called after each applied entry (the shard marks its snapshot dirty). */
  onApplied: () => void = () => undefined;

  constructor(opts: {
    nc: NatsConnection; cluster: string; store: ParameterStore; ledger: PartitionLedger;
    owns: (partition: number) => boolean; partitions: () => number; log: Logger; counters: Counters;
  }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#store = opts.store;
    this.#ledger = opts.ledger;
    this.#owns = opts.owns;
    this.#partitions = opts.partitions;
    this.#log = opts.log;
    this.#counters = opts.counters;
  }

  /** Whether start() has succeeded. */
  get started(): boolean {
    return this.#messages !== undefined;
  }

  /** Starts reading after the ledger's position; entries are applied as they arrive. */
  async start(): Promise<void> {
    const start = this.#ledger.position + 1;
    this.#consumer = await jetstream(this.#nc).consumers.get(logStream(this.#cluster), {
      filter_subjects: subjects.logAll(this.#cluster),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    this.#messages = await this.#consumer.consume({ max_messages: 1024 });
    this.#log.info({ from: start }, "reading the update log");
    this.#reading = this.#read(this.#messages);
  }

  async #read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        this.#take(m);
        if (this.#waiters.size > 0) this.#wake();
        if (this.#stopped) break;
      }
    } catch (err) {
      if (!this.#stopped) this.#log.error({ err }, "reading the update log failed");
      throw err;
    }
  }

  #take(m: JsMsg): void {
    const streamSeq = m.seq;
    const partition = partitionOfLogSubject(m.subject);
    if (partition < 0 || !this.#owns(partition)) {
      this.#ledger.advance(streamSeq);
      return;
    }
    try {
      const u = decodeMessage(m.data, ["log.update"]);
      this.#check(u, partition);
      switch (this.#ledger.verdict(partition, streamSeq, u.producer, u.seq)) {
        case Verdict.Seen:
          this.#counters.inc("log.seen");
          break;
        case Verdict.Duplicate:
          this.#counters.inc("log.duplicate");
          break;
        case Verdict.Apply: {
          const rows = this.#store.apply(u.tables, u.ids, u.grads);
          this.#ledger.record(partition, streamSeq, u.producer, u.seq);
          this.#counters.inc("log.applied");
          this.#counters.inc("rows.applied", rows);
          this.onApplied();
          break;
        }
      }
    } catch (err) {
      const reason = err instanceof ProtocolError ? err.reason : RejectReason.InvalidField;
      this.#counters.inc("rejected");
      this.#counters.inc(`rejected.${reason}`);
      this.#log.warn({ err: (err as Error).message, reason, partition, streamSeq }, "skipped a malformed update-log entry");
    }
    this.#ledger.advance(streamSeq);
  }

  /** Refuses an entry whose keys do not all belong to the partition whose log holds it. */
  #check(u: LogUpdate, partition: number): void {
    if (u.partition !== partition) {
      throw new ProtocolError(RejectReason.WrongShape, `entry says partition ${u.partition} but sits in the log of ${partition}`);
    }
    const P = this.#partitions();
    for (let i = 0; i < u.tables.length; i++) {
      if (partitionOf(u.tables[i]!, u.ids[i]!, P) !== partition) {
        throw new ProtocolError(RejectReason.WrongShape, `key (${u.tables[i]}, ${u.ids[i]}) does not hash into partition ${partition}`);
      }
    }
    this.#store.checkGradients(u.tables, u.grads);
  }

  /**
   * Resolves once the log has been read up to stream sequence `seq` (or entirely, when
   * entries up to it were purged); a NotReadyError after `timeoutMs`.
   */
  reached(seq: number, timeoutMs: number): Promise<void> {
    if (this.#ledger.position >= seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.add({ seq, resolve, reject, deadline: performance.now() + timeoutMs });
      this.#poll ??= setInterval(() => void this.#checkWaiters(), 50);
    });
  }

  /** Settles the waiters the position now satisfies. */
  #wake(): void {
    for (const w of this.#waiters) {
      if (this.#ledger.position >= w.seq) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Expires waiters past their deadline, and wakes all when the whole log has been read. */
  async #checkWaiters(): Promise<void> {
    const now = performance.now();
    for (const w of this.#waiters) {
      if (now >= w.deadline) {
        this.#waiters.delete(w);
        w.reject(new NotReadyError(`update log at sequence ${w.seq} (read up to ${this.#ledger.position})`));
      }
    }
    if (this.#waiters.size > 0 && this.#consumer) {
      try {
        const ci = await this.#consumer.info(false);
        // Entries up to a waiter's seq may have been purged: then nothing is left to read.
        if (ci.num_pending === 0 && this.#ledger.position >= ci.delivered.stream_seq) {
          for (const w of this.#waiters) w.resolve();
          this.#waiters.clear();
        }
      } catch { /* re-created consumer: the next tick asks again */ }
    }
    if (this.#waiters.size === 0 && this.#poll) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  /** Resolves once every entry the stream held when called has been read. */
  async caughtUp(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted || this.#stopped) throw new Error("stopped before catching up with the update log");
      if (this.#consumer) {
        try {
          const ci = await this.#consumer.info(false);
          if (ci.num_pending === 0 && this.#ledger.position >= ci.delivered.stream_seq) return;
        } catch (err) {
          // The ordered consumer is being re-created (e.g. the server restarted): ask again.
          this.#log.debug({ err: (err as Error).message }, "update-log consumer info not available; retrying");
        }
      }
      await sleep(20);
    }
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    for (const w of this.#waiters) w.reject(new NotReadyError("update log reader (stopping)"));
    this.#waiters.clear();
    this.#messages?.stop();
    await this.#reading?.catch(() => undefined);
  }
}
