/**
 * A shard's side of the update log: reads the cluster's log stream in sequence order
 * from where its ledger stands, and applies the entries of the partitions it owns, each
 * exactly once. Reading is one ordered consumer over every partition's subject (the
 * server here, 2.9, filters a consumer on one subject only); entries of partitions the
 * shard does not own are skipped by subject, before any decoding.
 *
 * What each entry does is the UpdateLogApplier's rule. A malformed entry (bad bytes,
 * non-finite gradients, keys outside its partition) is counted, logged and skipped: one
 * bad producer must not stop a partition.
 */
import { DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import { Empty, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { Failpoint, failpoint } from "../runtime/failpoints.js";
import {
  decodeMessage, logStream, NotReadyError, ProtocolError, RejectReason, subjects, type LogMapChange, type PartitionHandoff,
} from "../../protocols/index.js";
import type { HandoffStore } from "../runtime/handoff-store.js";
import type { Counters } from "../runtime/counters.js";
import type { AccessAccounting } from "./access-accounting.js";
import type { LedgerRecord, PartitionLedger } from "./partition-ledger.js";
import type { ParameterStore } from "./parameter-store.js";
import { UpdateLogApplier } from "./update-log-applier.js";

export class UpdateLogReader {
  readonly #cluster: string;
  readonly #ledger: PartitionLedger;
  readonly #applier: UpdateLogApplier;
  readonly #log: Logger;
  readonly #counters: Counters;
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  #reading: Promise<void> | undefined;
  /** Pulls waiting for the log to be read up to a sequence. */
  readonly #waiters = new Set<{ seq: number; resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  readonly #js: JetStreamClient;
  readonly #mapSubject: string;
  readonly #self: string;
  readonly #handoffs: HandoffStore;
  readonly #partitions: () => number;
  readonly #stopping = new AbortController();
  /** Handoffs being stored for their new owners. */
  readonly #storing = new Set<Promise<void>>();
  /** Called after each applied entry (the shard marks its snapshot dirty). */
  onApplied: () => void = () => undefined;

  constructor(opts: {
    nc: NatsConnection; cluster: string; store: ParameterStore; ledger: PartitionLedger;
    owns: (partition: number) => boolean; partitions: () => number; log: Logger; counters: Counters; accounting?: AccessAccounting;
    /** This shard's id, and where handed-over partitions wait (see handoff-store.ts). */
    self: string; handoffs: HandoffStore;
  }) {
    this.#mapSubject = subjects.logMap(opts.cluster);
    this.#self = opts.self;
    this.#handoffs = opts.handoffs;
    this.#partitions = opts.partitions;
    this.#cluster = opts.cluster;
    this.#ledger = opts.ledger;
    this.#js = jetstream(opts.nc);
    this.#applier = new UpdateLogApplier({
      store: opts.store, ledger: opts.ledger, commitSubject: subjects.logCommit(opts.cluster),
      owns: opts.owns, partitions: opts.partitions, counters: opts.counters, accounting: opts.accounting,
      skipNth: failpoint(Failpoint.ShardSkipLogEntry),
    });
    this.#log = opts.log;
    this.#counters = opts.counters;
  }

  /**
   * The ledger as a snapshot must save it, or undefined when there is no consistent cut
   * now: a handoff is still being stored (a snapshot past its entry would let a crash
   * lose it; see #changeOwners), or UpdateLogApplier.cut has none.
   */
  cut(): LedgerRecord | undefined {
    if (this.#storing.size > 0) return undefined;
    return this.#applier.cut();
  }

  /** Whether start() has succeeded. */
  get started(): boolean {
    return this.#messages !== undefined;
  }

  /** Starts reading after the ledger's position; entries are applied as they arrive. */
  async start(): Promise<void> {
    const start = this.#ledger.position + 1;
    const consumer = await this.#js.consumers.get(logStream(this.#cluster), {
      filter_subjects: subjects.logAll(this.#cluster),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    // A short pull expiry: after a NATS restart the client re-checks its consumer and, when
    // JetStream is not back yet, retries after `expires` (default 30 s, which stalled a
    // shard that long in the chaos tests); idle heartbeats (expires / 2) also come sooner.
    this.#messages = await consumer.consume({ max_messages: 1024, expires: 3000 });
    this.#log.info({ from: start }, "reading the update log");
    this.#reading = this.#read(this.#messages);
  }

  async #read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        if (m.subject === this.#mapSubject) await this.#changeOwners(m);
        else this.#take(m);
        if (this.#waiters.size > 0) this.#wake();
        if (this.#stopped) break;
      }
    } catch (err) {
      if (!this.#stopped) this.#log.error({ err }, "reading the update log failed");
      // Unhandled on purpose: the shard process dies, and its supervisor restarts it from
      // its snapshot and the log, which is the one way back to rows that are current.
      throw err;
    }
  }

  #take(m: JsMsg): void {
    try {
      if (this.#applier.take(m.subject, m.seq, m.data)) this.onApplied();
    } catch (err) {
      const reason = err instanceof ProtocolError ? err.reason : RejectReason.InvalidField;
      this.#counters.inc("rejected");
      this.#counters.inc(`rejected.${reason}`);
      this.#log.warn({ err: (err as Error).message, reason, subject: m.subject, streamSeq: m.seq }, "skipped a malformed update-log entry");
    }
  }

  /**
   * A `log.map` entry: the partitions leaving this shard are handed over (stored for
   * their new owners) and the arriving ones taken over, before anything after the entry
   * is read, so every entry of a partition is applied by exactly one owner. The first
   * map this shard reads (no owners known yet) only sets the owners.
   */
  async #changeOwners(m: JsMsg): Promise<void> {
    let change: LogMapChange;
    try {
      change = decodeMessage(m.data, ["log.map"]);
      if (change.partitions !== this.#partitions()) {
        throw new ProtocolError(RejectReason.WrongShape, `log.map has ${change.partitions} partitions, the job ${this.#partitions()}`);
      }
    } catch (err) {
      const reason = err instanceof ProtocolError ? err.reason : RejectReason.InvalidField;
      this.#counters.inc("rejected");
      this.#counters.inc(`rejected.${reason}`);
      this.#ledger.advance(m.seq);
      this.#log.warn({ err: (err as Error).message, reason, streamSeq: m.seq }, "skipped a malformed partition-map entry");
      return;
    }
    const before = this.#ledger.owners;
    const leaving: number[] = [];
    const arriving: number[] = [];
    if (before) {
      change.owners.forEach((owner, p) => {
        if (before[p] === this.#self && owner !== this.#self) leaving.push(p);
        if (before[p] !== this.#self && owner === this.#self) arriving.push(p);
      });
    }
    const t0 = performance.now();
    // What leaves is copied now and stored in the background: this shard reads on at
    // once. Until every copy is stored no snapshot is taken, so a crash before then
    // restarts from before this entry and hands the partitions over again.
    for (const h of this.#applier.exportPartitions(new Map(leaving.map((p) => [p, change.owners[p]!])), m.seq, this.#self)) {
      const p = h.partition;
      const storing: Promise<void> = this.#retry(() => this.#handoffs.put(h), `storing the handoff of partition ${p}`).then(
        (bytes) => {
          this.#counters.inc("handoffs.sent");
          this.#counters.inc("handoffs.bytes_sent", bytes);
          this.#log.debug({ partition: p, streamSeq: m.seq, bytes, ms: Math.round(performance.now() - t0) }, "handoff stored");
        },
        (err: unknown) => { if (!this.#stopped) this.#log.error({ err, partition: p }, "a handoff was not stored"); },
      ).finally(() => { this.#storing.delete(storing); });
      this.#storing.add(storing);
    }
    // What arrives must be loaded before anything after the entry is read.
    const arrived: PartitionHandoff[] = await Promise.all(arriving.map((p) => this.#handoffs.take(p, m.seq, this.#stopping.signal)));
    this.#applier.handOver(m.seq, change.owners, leaving, arrived);
    this.#counters.inc("handoffs.received", arrived.length);
    if (leaving.length + arriving.length > 0) this.onApplied();
    if (this.#waiters.size > 0) this.#wake();
    const ms = performance.now() - t0;
    if (leaving.length + arriving.length > 0) {
      this.#counters.inc("time.handoff_ms", ms);
      this.#log.info({
        streamSeq: m.seq, reason: change.reason, leaving, arriving, ms: Math.round(ms * 10) / 10, at: Date.now(),
      }, "partitions handed over");
    } else {
      this.#log.info({ streamSeq: m.seq, reason: change.reason, owned: change.owners.filter((o) => o === this.#self).length }, "partition owners read from the log");
    }
  }

  /** Runs `fn` until it succeeds (a NATS restart must not lose a handoff), unless the reader stops. */
  async #retry<T>(fn: () => Promise<T>, what: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (this.#stopped) throw err;
        if (attempt === 0) this.#log.warn({ err }, `${what} failed; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  /**
   * Resolves once the log has been read up to stream sequence `seq`, which must be one
   * this shard will read (an entry of its own partitions, a commit or a mark: never one
   * another shard may purge); a NotReadyError after `timeoutMs`.
   */
  reached(seq: number, timeoutMs: number): Promise<void> {
    if (this.#ledger.position >= seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = { seq, resolve, reject, timer: setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new NotReadyError(`update log at sequence ${seq} (read up to ${this.#ledger.position})`));
      }, timeoutMs) };
      this.#waiters.add(waiter);
    });
  }

  /** Settles the waiters the position now satisfies. */
  #wake(): void {
    for (const w of this.#waiters) {
      if (this.#ledger.position >= w.seq) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  /**
   * Resolves once everything the log held when called has been read: appends a mark (a
   * tiny entry no one purges) and waits until it has been read. The server's own pending
   * counts are not used: after purges they are not reliable here.
   */
  async caughtUp(signal?: AbortSignal): Promise<void> {
    const ack = await this.#js.publish(subjects.logMark(this.#cluster), Empty, { timeout: 10_000 });
    for (;;) {
      if (signal?.aborted || this.#stopped) throw new Error("stopped before catching up with the update log");
      try {
        await this.reached(ack.seq, 1000);
        return;
      } catch (err) {
        if (!(err instanceof NotReadyError)) throw err;
      }
    }
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    // A leaving shard (scale-down) stores what it hands over before it goes: its new
    // owners wait for it. Bounded: a crash would have the same effect, handled by replay.
    if (this.#storing.size > 0) {
      await Promise.race([Promise.allSettled([...this.#storing]), new Promise((r) => setTimeout(r, 10_000))]);
    }
    this.#stopped = true;
    this.#stopping.abort();
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new NotReadyError("update log reader (stopping)"));
    }
    this.#waiters.clear();
    this.#messages?.stop();
    await this.#reading?.catch(() => undefined);
  }
}
