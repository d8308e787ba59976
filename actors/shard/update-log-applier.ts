/**
 * What a shard does with each update-log entry, in stream order: the one rule that
 * makes parameters a function of the log. Shards use it as they read the log, and the
 * exactly-once audit replays a whole log through it.
 *
 * async entries are applied on arrival, once per (partition, producer, seq) (the
 * PartitionLedger decides). sync entries are held until their step's commit; then each
 * partition sums the gradients of the step's micro-batches in micro-batch order and
 * applies the sum once, so the result depends only on the log's content, not on which
 * worker computed a micro-batch, nor when, nor how often.
 */
import {
  decodeMessage, encodeMessage, partitionOf, partitionOfLogSubject, ProtocolError, RejectReason, tensor, type LogUpdate, type PartitionHandoff,
} from "../../protocols/index.js";
import type { Counters } from "../runtime/counters.js";
import type { AccessAccounting } from "./access-accounting.js";
import { Verdict, type PartitionLedger } from "./partition-ledger.js";
import type { ParameterStore } from "./parameter-store.js";

/** Held sync entries: step → partition → "micro:part" → entry. */
type Held = Map<number, Map<number, Map<string, LogUpdate>>>;

export class UpdateLogApplier {
  readonly #store: ParameterStore;
  readonly #ledger: PartitionLedger;
  readonly #owns: (partition: number) => boolean;
  readonly #partitions: () => number;
  readonly #counters: Counters | undefined;
  readonly #accounting: AccessAccounting | undefined;
  readonly #commitSubject: string;
  readonly #held: Held = new Map();
  readonly #onApplied: ((u: LogUpdate) => void) | undefined;
  /** Planted bug (failpoint shard.skip-log-entry): the Nth entry to apply is dropped. */
  readonly #skipNth: number | undefined;
  #toApply = 0;
  /** Sync mode: whether a partition changed hands since the last commit (see cut()). */
  #handoffSinceCommit = false;

  constructor(opts: {
    store: ParameterStore; ledger: PartitionLedger; commitSubject: string;
    owns: (partition: number) => boolean; partitions: () => number; counters?: Counters;
    /** Told of every entry whose gradient went into the parameters (the audit counts trained rows with it). */
    onApplied?: (u: LogUpdate) => void;
    skipNth?: number;
    /** Counts every applied push as load of its partition (the shard's; the audit has none). */
    accounting?: AccessAccounting;
  }) {
    this.#onApplied = opts.onApplied;
    this.#skipNth = opts.skipNth;
    this.#accounting = opts.accounting;
    this.#store = opts.store;
    this.#ledger = opts.ledger;
    this.#commitSubject = opts.commitSubject;
    this.#owns = opts.owns;
    this.#partitions = opts.partitions;
    this.#counters = opts.counters;
  }

  /**
   * The ledger as a snapshot must save it: at the last commit while sync entries are
   * held. Undefined when no consistent cut exists now: sync entries are held and a
   * partition changed hands since that commit (the rows already reflect the handoff, a
   * cut at the commit would not); the next snapshot, after the next commit, has one.
   */
  cut(): ReturnType<PartitionLedger["toRecord"]> | undefined {
    if (this.#held.size > 0 && this.#handoffSinceCommit) return undefined;
    return this.#ledger.toRecord(this.#held.size > 0);
  }

  /**
   * The state of each partition in `moves` (partition → its next owner) as of just
   * before the `log.map` entry at `atSeq`, for the next owners: rows, the ledger's
   * record of it and (sync) the entries held for uncommitted steps. Copies: nothing
   * changes here until handOver().
   */
  exportPartitions(moves: ReadonlyMap<number, string>, atSeq: number, from: string): PartitionHandoff[] {
    const rows = this.#store.exportPartitions([...moves.keys()], this.#partitions());
    return [...moves].map(([partition, to]) => {
      const held: Uint8Array[] = [];
      for (const parts of this.#held.values()) {
        for (const u of parts.get(partition)?.values() ?? []) {
          held.push(encodeMessage({ ...u, tables: tensor(u.tables), ids: tensor(u.ids), grads: tensor(u.grads) }));
        }
      }
      const rec = this.#ledger.partitionRecord(partition);
      return {
        v: 1, type: "ps.handoff", partition, atSeq, from, to,
        tables: rows.get(partition) ?? [], applied: rec.applied, producers: rec.producers, held,
      };
    });
  }

  /**
   * Applies a `log.map` entry at `atSeq` in one synchronous step (a snapshot sees all of
   * it or none): drops what leaves, loads what the previous owners handed over, takes
   * the new owners and moves the position past the entry.
   */
  handOver(atSeq: number, owners: readonly string[], leaving: readonly number[], arriving: readonly PartitionHandoff[]): void {
    const P = this.#partitions();
    this.#store.dropPartitions(new Set(leaving), P);
    for (const p of leaving) {
      this.#ledger.dropPartition(p);
      for (const parts of this.#held.values()) parts.delete(p);
    }
    for (const h of arriving) {
      this.#store.importRows(h.tables);
      this.#ledger.adoptPartition(h.partition, h.applied, h.producers);
      for (const bytes of h.held) this.#hold(decodeMessage(bytes, ["log.update"]), h.partition);
    }
    if (leaving.length > 0 || arriving.length > 0) this.#handoffSinceCommit = true;
    this.#ledger.setOwners(owners);
    this.#ledger.advance(atSeq);
  }

  /**
   * Takes the entry at `streamSeq`; returns whether parameters changed. Throws a
   * ProtocolError for a malformed entry (the caller counts it); the position moves past
   * it either way.
   */
  take(subject: string, streamSeq: number, data: Uint8Array): boolean {
    try {
      if (subject === this.#commitSubject) return this.#commit(streamSeq, data);
      const partition = partitionOfLogSubject(subject);
      if (partition < 0 || !this.#owns(partition)) return false;
      const u = decodeMessage(data, ["log.update"]);
      this.#check(u, partition);
      if (u.step !== undefined) {
        this.#hold(u, partition);
        return false;
      }
      switch (this.#ledger.verdict(partition, streamSeq, u.producer, u.seq)) {
        case Verdict.Seen:
          this.#inc("log.seen");
          return false;
        case Verdict.Duplicate:
          this.#inc("log.duplicate");
          return false;
        case Verdict.Apply: {
          this.#ledger.record(partition, streamSeq, u.producer, u.seq);
          if (++this.#toApply === this.#skipNth) return false;
          const rows = this.#store.apply(u.tables, u.ids, u.grads);
          this.#accounting?.recordPush(u.tables, u.ids, this.#rowBytes);
          this.#inc("log.applied");
          this.#inc("rows.applied", rows);
          this.#onApplied?.(u);
          return true;
        }
      }
    } finally {
      this.#ledger.advance(streamSeq);
    }
  }

  /** Bytes of one gradient row of a table (f32). */
  readonly #rowBytes = (table: number): number => this.#store.dimOf(table) * 4;

  #inc(name: string, n = 1): void {
    this.#counters?.inc(name, n);
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

  #hold(u: LogUpdate, partition: number): void {
    if (u.step! <= this.#ledger.committedStep) {
      this.#inc("log.stale");
      return;
    }
    let step = this.#held.get(u.step!);
    if (!step) this.#held.set(u.step!, (step = new Map()));
    let part = step.get(partition);
    if (!part) step.set(partition, (part = new Map()));
    const key = `${u.micro ?? 0}:${u.part ?? 0}`;
    // The same micro-batch computed twice gives the same entry: keep the first.
    if (part.has(key)) this.#inc("log.duplicate");
    else part.set(key, u);
  }

  #commit(streamSeq: number, data: Uint8Array): boolean {
    const c = decodeMessage(data, ["log.commit"]);
    if (c.step <= this.#ledger.committedStep) {
      this.#inc("log.duplicate");
      return false;
    }
    let changed = false;
    for (const [partition, entries] of this.#held.get(c.step) ?? []) {
      const ordered = [...entries].sort(([a], [b]) => compareMicroPart(a, b)).map(([, u]) => u);
      this.#ledger.record(partition, streamSeq, "sync", c.step);
      if (++this.#toApply === this.#skipNth) continue;
      const { tables, ids, grads } = sumInOrder(ordered, (t) => this.#store.dimOf(t));
      const rows = this.#store.apply(tables, ids, grads);
      this.#accounting?.recordPush(tables, ids, this.#rowBytes);
      for (const u of ordered) this.#onApplied?.(u);
      this.#inc("rows.applied", rows);
      changed = true;
    }
    for (const step of [...this.#held.keys()]) if (step <= c.step) this.#held.delete(step);
    this.#ledger.commit(c.step, streamSeq);
    this.#handoffSinceCommit = false;
    this.#inc("steps.applied");
    return changed;
  }
}

function compareMicroPart(a: string, b: string): number {
  const [am, ap] = a.split(":").map(Number) as [number, number];
  const [bm, bp] = b.split(":").map(Number) as [number, number];
  return am - bm || ap - bp;
}

/**
 * Sums the entries' gradients key by key, in the entries' order (float32 additions in a
 * fixed order: the same bits every time), keys in order of first appearance.
 */
function sumInOrder(entries: readonly LogUpdate[], dimOf: (table: number) => number): { tables: Uint32Array; ids: Uint32Array; grads: Float32Array } {
  const slot = new Map<number, number>();
  const tables: number[] = [];
  const ids: number[] = [];
  const offsets: number[] = [];
  let floats = 0;
  for (const u of entries) {
    for (let i = 0; i < u.tables.length; i++) {
      const k = u.tables[i]! * 0x1_0000_0000 + u.ids[i]!;
      if (!slot.has(k)) {
        slot.set(k, tables.length);
        tables.push(u.tables[i]!);
        ids.push(u.ids[i]!);
        offsets.push(floats);
        floats += dimOf(u.tables[i]!);
      }
    }
  }
  const sum = new Float32Array(floats);
  for (const u of entries) {
    let g = 0;
    for (let i = 0; i < u.tables.length; i++) {
      const at = offsets[slot.get(u.tables[i]! * 0x1_0000_0000 + u.ids[i]!)!]!;
      const dim = dimOf(u.tables[i]!);
      for (let d = 0; d < dim; d++) sum[at + d] = sum[at + d]! + u.grads[g + d]!;
      g += dim;
    }
  }
  return { tables: Uint32Array.from(tables), ids: Uint32Array.from(ids), grads: sum };
}
