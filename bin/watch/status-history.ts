/**
 * What `colony status --watch` remembers between frames: throughput and loss per frame
 * (for sparklines) and each shard's load rate, from the difference of its served-row
 * counters between two of its heartbeats. Status replies carry totals; rates need two.
 */
import type { StatusReply } from "../../protocols/index.js";

/** One shard's load in the latest frame. */
export interface ShardLoad {
  readonly id: string;
  /** Rows pulled plus gradient rows applied per second between its last two heartbeats (NaN until there are two). */
  readonly rowsPerSec: number;
  readonly partitions: number;
  readonly rowsHeld: number;
}

/** Polls see a heartbeat's age only to within their own latency: closer than this is the same heartbeat. */
const BEAT_JITTER_MS = 50;

const loadOf = (counters: Record<string, number>): number => (counters["rows.pulled"] ?? 0) + (counters["rows.applied"] ?? 0);

/** A bounded history of status snapshots, as series. */
export class StatusHistory {
  readonly #capacity: number;
  readonly throughput: number[] = [];
  readonly loss: number[] = [];
  /** The latest held-out AUC at each frame (NaN while there is none). */
  readonly evalAuc: number[] = [];
  /** Per shard: its pid, load total and rate as of its last heartbeat, and when that heartbeat was sent. */
  readonly #last = new Map<string, { pid: number; load: number; beatAt: number; rate: number }>();
  #shards: ShardLoad[] = [];

  constructor(capacity = 120) {
    this.#capacity = capacity;
  }

  /** Records one snapshot taken at `at` (ms). */
  add(s: StatusReply, at: number): void {
    this.#push(this.throughput, s.progress?.samplesPerSec ?? NaN);
    this.#push(this.loss, s.progress && s.progress.loss > 0 ? s.progress.loss : NaN);
    this.#push(this.evalAuc, s.progress?.heldOut?.auc ?? NaN);
    const shards: ShardLoad[] = [];
    for (const m of s.members.filter((x) => x.kind === "shard")) {
      const load = loadOf(m.counters);
      // Rates run on the heartbeats' clock (when the counters were sent), not the polls'.
      const beatAt = m.silentMs >= 0 ? at - m.silentMs : at;
      const before = this.#last.get(m.id);
      // A restarted shard starts its counters over: no rate across the restart.
      const sameProcess = before !== undefined && before.pid === m.pid && load >= before.load;
      let rate: number;
      if (sameProcess && beatAt - before.beatAt <= BEAT_JITTER_MS) {
        rate = before.rate; // no new heartbeat since the last poll: keep its rate rather than read 0
      } else {
        rate = sameProcess ? (load - before.load) / ((beatAt - before.beatAt) / 1000) : NaN;
        this.#last.set(m.id, { pid: m.pid, load, beatAt, rate });
      }
      shards.push({ id: m.id, rowsPerSec: rate, partitions: s.partitions[m.id] ?? 0, rowsHeld: m.counters["rows.held"] ?? 0 });
    }
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
