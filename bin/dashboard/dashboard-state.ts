/**
 * What the dashboard shows, kept between status polls: the latest status, the
 * throughput / loss / held-out AUC / rows curves, and a shard-load heatmap (one column per poll, one
 * row per shard: rows pulled plus applied per second), bounded to the last `capacity`
 * polls. The page receives it whole on every update (it is small), so a page opened
 * late still draws the curves from the start of the window.
 */
import type { StatusReply } from "../../protocols/index.js";
import { StatusHistory } from "../watch/status-history.js";

/** One poll's point on the curves; evalAuc is the latest held-out AUC (null before the first, or with evaluations off). */
export interface CurvePoint {
  readonly t: number; readonly samplesPerSec: number | null; readonly loss: number | null; readonly rowsDone: number; readonly evalAuc: number | null;
}

/** The dashboard's whole state, as sent to the page. */
export interface DashboardState {
  readonly status: StatusReply;
  readonly curve: readonly CurvePoint[];
  /** Shard ids, and per poll the load of each (rows/s; null when unknown). */
  readonly heatmap: { readonly shards: readonly string[]; readonly columns: readonly { readonly t: number; readonly load: readonly (number | null)[] }[] };
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Accumulates polls into a DashboardState. */
export class DashboardHistory {
  readonly #capacity: number;
  readonly #rates = new StatusHistory(2);
  readonly #curve: CurvePoint[] = [];
  readonly #columns: { t: number; load: Map<string, number | null> }[] = [];
  readonly #shards = new Set<string>();
  #status: StatusReply | undefined;

  constructor(capacity = 600) {
    this.#capacity = capacity;
  }

  /** Records one status taken at `at` (epoch ms). */
  add(s: StatusReply, at: number): void {
    this.#status = s;
    this.#rates.add(s, at);
    this.#curve.push({
      t: at, samplesPerSec: s.progress ? finiteOrNull(s.progress.samplesPerSec) : null,
      loss: s.progress && s.progress.loss > 0 ? s.progress.loss : null, rowsDone: s.progress?.rowsDone ?? 0,
      evalAuc: s.progress?.heldOut ? finiteOrNull(s.progress.heldOut.auc) : null,
    });
    const load = new Map<string, number | null>();
    for (const x of this.#rates.shards) {
      this.#shards.add(x.id);
      load.set(x.id, finiteOrNull(x.rowsPerSec));
    }
    this.#columns.push({ t: at, load });
    if (this.#curve.length > this.#capacity) this.#curve.shift();
    if (this.#columns.length > this.#capacity) this.#columns.shift();
  }

  /** The state to send, or undefined before the first poll. */
  state(): DashboardState | undefined {
    if (!this.#status) return undefined;
    const shards = [...this.#shards].sort();
    return {
      status: this.#status,
      curve: [...this.#curve],
      heatmap: { shards, columns: this.#columns.map((c) => ({ t: c.t, load: shards.map((id) => c.load.get(id) ?? null) })) },
    };
  }
}
