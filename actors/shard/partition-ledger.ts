/**
 * What a shard has taken from the update log: how far it has read the stream, the last
 * stream sequence applied per partition, and per (partition, producer) the highest
 * producer seq applied. It is saved inside every snapshot, so after a restart the shard
 * reads on from where that snapshot's cut was, and an entry appended twice (a retry
 * after the server's dedupe window) is still applied once.
 */

/** What to do with one log entry. */
export enum Verdict {
  /** Not applied yet: apply it, then record it. */
  Apply = "apply",
  /** At or below what the partition has applied from the stream: a replay overlap. */
  Seen = "seen",
  /** A (producer, seq) already applied in this partition under another stream sequence. */
  Duplicate = "duplicate",
}

/** The ledger as JSON, inside a snapshot. */
export interface LedgerRecord {
  /** Last stream sequence read (applied or skipped). */
  readonly position: number;
  /** [partition, last applied stream seq, [producer, highest seq][]] */
  readonly partitions: [number, number, [string, number][]][];
  /** Sync mode: the last step whose commit was applied (-1: none), and that commit's stream sequence. */
  readonly committedStep?: number;
  readonly committedAt?: number;
  /** Owner of every partition as of `position`: set by the last `log.map` entry read (absent before one). */
  readonly owners?: readonly string[];
}

interface PartitionEntry {
  applied: number;
  readonly producers: Map<string, number>;
}

export class PartitionLedger {
  #position = 0;
  readonly #partitions = new Map<number, PartitionEntry>();
  #committedStep = -1;
  #committedAt = 0;
  #owners: readonly string[] | undefined;

  /** Owner of every partition as the log has set it so far (undefined until a `log.map` entry is read). */
  get owners(): readonly string[] | undefined {
    return this.#owners;
  }

  /** Takes the owners a `log.map` entry sets. */
  setOwners(owners: readonly string[]): void {
    this.#owners = [...owners];
  }

  /** What the ledger knows of one partition, for its handoff to a new owner. */
  partitionRecord(partition: number): { applied: number; producers: [string, number][] } {
    const e = this.#partitions.get(partition);
    return { applied: e?.applied ?? 0, producers: e ? [...e.producers] : [] };
  }

  /** Takes over a partition's record from its previous owner (replacing any of ours). */
  adoptPartition(partition: number, applied: number, producers: readonly [string, number][]): void {
    this.#partitions.set(partition, { applied, producers: new Map(producers) });
  }

  /** Forgets a partition handed to another shard. */
  dropPartition(partition: number): void {
    this.#partitions.delete(partition);
  }

  /** Sync mode: the last step applied at its commit (-1 when none). */
  get committedStep(): number {
    return this.#committedStep;
  }

  /** Records that the commit of `step`, at `streamSeq`, has been applied. */
  commit(step: number, streamSeq: number): void {
    this.#committedStep = step;
    this.#committedAt = streamSeq;
    this.advance(streamSeq);
  }

  /** Last stream sequence read; reading resumes after it. */
  get position(): number {
    return this.#position;
  }

  /** Notes that every stream entry up to `streamSeq` has been read. */
  advance(streamSeq: number): void {
    if (streamSeq > this.#position) this.#position = streamSeq;
  }

  /** Whether the entry (producer, seq) at `streamSeq` of `partition` must be applied. */
  verdict(partition: number, streamSeq: number, producer: string, seq: number): Verdict {
    const e = this.#partitions.get(partition);
    if (!e) return Verdict.Apply;
    if (streamSeq <= e.applied) return Verdict.Seen;
    const last = e.producers.get(producer);
    return last !== undefined && seq <= last ? Verdict.Duplicate : Verdict.Apply;
  }

  /** Records an applied entry. */
  record(partition: number, streamSeq: number, producer: string, seq: number): void {
    let e = this.#partitions.get(partition);
    if (!e) this.#partitions.set(partition, (e = { applied: 0, producers: new Map() }));
    e.applied = streamSeq;
    e.producers.set(producer, Math.max(seq, e.producers.get(producer) ?? -1));
    this.advance(streamSeq);
  }

  /** Last stream sequence applied to `partition` (0 when none). */
  appliedIn(partition: number): number {
    return this.#partitions.get(partition)?.applied ?? 0;
  }

  /**
   * A copy as JSON, for a snapshot. With `heldSinceCommit` (sync entries read but not yet
   * applied), the position is the last commit's, so a restore reads those entries again.
   */
  toRecord(heldSinceCommit = false): LedgerRecord {
    return {
      position: heldSinceCommit ? this.#committedAt : this.#position,
      partitions: [...this.#partitions].map(([p, e]) => [p, e.applied, [...e.producers]]),
      committedStep: this.#committedStep,
      committedAt: this.#committedAt,
      ...(this.#owners ? { owners: [...this.#owners] } : {}),
    };
  }

  /** The ledger a snapshot saved. */
  static fromRecord(r: LedgerRecord): PartitionLedger {
    const l = new PartitionLedger();
    l.#position = r.position;
    l.#committedStep = r.committedStep ?? -1;
    l.#committedAt = r.committedAt ?? 0;
    l.#owners = r.owners ? [...r.owners] : undefined;
    for (const [p, applied, producers] of r.partitions) l.#partitions.set(p, { applied, producers: new Map(producers) });
    return l;
  }
}
