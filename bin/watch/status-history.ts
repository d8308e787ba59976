/**
 * What `colony status --watch` remembers between frames: throughput and loss per frame
 * (for sparklines) and each shard's load rate, from the difference of its served-row
 * counters between two snapshots. Status replies carry totals; rates need two of them.
 */
import type { StatusReply } from "../../protocols/index.js";

/** One shard's load in the latest frame. */
export interface ShardLoad {
  readonly id: string;
  /** Rows pulled plus gradient rows applied per second since the previous frame (NaN on the first). */
  readonly rowsPerSec: number;
  readonly partitions: number;
  readonly rowsHeld: number;
}

const load = (counters: Record<string, number>): number => (counters["rows.pulled"] ?? 0) + (counters["rows.applied"] ?? 0);

/** A bounded history of status snapshots, as series. */
export class StatusHistory {
  readonly #capacity: number;
  readonly throughput: number[] = [];
  readonly loss: number[] = [];
  #previous: { at: number; loads: Map<string, { pid: number; load: number }> } | undefined;
  #shards: ShardLoad[] = [];

  constructor(capacity = 120) {
    this.#capacity = capacity;
  }

  /** Records one snapshot taken at `at` (ms). */
  add(s: StatusReply, at: number): void {
    this.#push(this.throughput, s.progress?.samplesPerSec ?? NaN);
    this.#push(this.loss, s.progress && s.progress.loss > 0 ? s.progress.loss : NaN);
    const loads = new Map<string, { pid: number; load: number }>();
    const shards: ShardLoad[] = [];
    for (const m of s.members.filter((x) => x.kind === "shard")) {
      const now = load(m.counters);
      loads.set(m.id, { pid: m.pid, load: now });
      const before = this.#previous?.loads.get(m.id);
      const seconds = this.#previous ? (at - this.#previous.at) / 1000 : 0;
      // A restarted shard starts its counters over: no rate across the restart.
      const rate = before && before.pid === m.pid && seconds > 0 && now >= before.load ? (now - before.load) / seconds : NaN;
      shards.push({ id: m.id, rowsPerSec: rate, partitions: s.partitions[m.id] ?? 0, rowsHeld: m.counters["rows.held"] ?? 0 });
    }
    this.#previous = { at, loads };
    this.#shards = shards;
  }

  /** Each shard's load as of the latest snapshot. */
  get shards(): readonly ShardLoad[] {
    return this.#shards;
  }

  #push(series: number[], v: number): void {
    series.push(v);
    if (series.length > this.#capacity) series.shift();
  }
}
