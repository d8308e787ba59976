/**
 * The cluster's rows trained over time, from the workers' heartbeats (one a second per
 * worker, counters included). Every incarnation of a worker keeps its last count, so a
 * killed worker's rows stay in the total. The elasticity benchmark reads training rates
 * around an event from it; its resolution is the heartbeat period (1 s), so rates over
 * windows of a few seconds are rough and are reported as such.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeMessage, subjects } from "../protocols/index.js";

interface Sample { readonly t: number; readonly rows: number }

/** Rows trained by all workers together, sampled at each worker heartbeat. */
export class TrainedRows {
  readonly #byIncarnation = new Map<string, number>();
  readonly #samples: Sample[] = [];
  #nc: NatsConnection | undefined;

  /** Starts following the cluster's heartbeats. */
  async follow(url: string, cluster: string): Promise<void> {
    const nc = await connect({ servers: url, name: "colony-bench-elasticity", maxReconnectAttempts: 0 });
    this.#nc = nc;
    nc.subscribe(subjects.heartbeat(cluster), {
      callback: (err, msg) => {
        if (err !== null) return;
        try {
          const beat = decodeMessage(msg.data, ["ctl.heartbeat"]);
          if (beat.actor.kind === "worker") this.record(`${beat.actor.id}/${beat.actor.pid}`, beat.counters["rows.trained"] ?? 0, Date.now());
        } catch {
          // A heartbeat this version can't read is not worth failing the benchmark for.
        }
      },
    });
  }

  /** Takes one worker incarnation's count at time t (exported for tests). */
  record(incarnation: string, rows: number, t: number): void {
    this.#byIncarnation.set(incarnation, rows);
    let total = 0;
    for (const n of this.#byIncarnation.values()) total += n;
    this.#samples.push({ t, rows: total });
  }

  /** Total rows trained at time t, interpolated between the samples around it; undefined outside the samples. */
  rowsAt(t: number): number | undefined {
    const s = this.#samples;
    const first = s[0];
    const last = s.at(-1);
    if (first === undefined || last === undefined || t < first.t || t > last.t) return undefined;
    let i = 0;
    while (i + 1 < s.length && s[i + 1]!.t <= t) i++;
    const a = s[i]!;
    const b = s[i + 1];
    if (b === undefined || b.t === a.t) return a.rows;
    return a.rows + ((b.rows - a.rows) * (t - a.t)) / (b.t - a.t);
  }

  /** Rows per second between two times; undefined when the samples don't cover both. */
  rate(from: number, to: number): number | undefined {
    const a = this.rowsAt(from);
    const b = this.rowsAt(to);
    return a === undefined || b === undefined || to <= from ? undefined : ((b - a) * 1000) / (to - from);
  }

  /** Time of the first sample after `t` whose total exceeds the total at `t`: training resumed (±1 heartbeat). */
  firstGrowthAfter(t: number): number | undefined {
    const base = this.rowsAt(t);
    if (base === undefined) return undefined;
    return this.#samples.find((s) => s.t > t && s.rows > base)?.t;
  }

  /** Time of the latest sample, or undefined before the first. */
  get lastSampleAt(): number | undefined {
    return this.#samples.at(-1)?.t;
  }

  async close(): Promise<void> {
    await this.#nc?.close().catch(() => undefined);
  }
}
