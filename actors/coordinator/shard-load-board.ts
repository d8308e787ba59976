/**
 * The coordinator's view of shard load: the latest `ps.load` report of each shard, and
 * from them the load of every partition, each shard's totals, the hottest keys over the
 * cluster, and the rebalance plan it would run now. A report older than `staleMs` (its
 * shard stopped reporting: dead, stalled, or no longer serving) is not used.
 */
import type { LoadReport, PartitionMap, RebalancePlanReply, ReportedHotKey, ShardLoadSummary } from "../../protocols/index.js";
import { MAX_REPORTED_HOT_KEYS } from "../../protocols/index.js";
import { planRebalance } from "./rebalance-plan.js";

interface Received { readonly report: LoadReport; readonly receivedAt: number }

/** Default age past which a shard's report is ignored: several report intervals missed. */
export const DEFAULT_REPORT_STALE_MS = 10_000;

export class ShardLoadBoard {
  readonly #reports = new Map<string, Received>();
  readonly #staleMs: number;
  readonly #clock: { now(): number };

  constructor(opts: { staleMs?: number; clock?: { now(): number } } = {}) {
    this.#staleMs = opts.staleMs ?? DEFAULT_REPORT_STALE_MS;
    this.#clock = opts.clock ?? { now: () => Date.now() };
  }

  /** Keeps a shard's report (replacing its previous one). */
  update(report: LoadReport): void {
    this.#reports.set(report.shardId, { report, receivedAt: this.#clock.now() });
  }

  /** Reports young enough to use, oldest first (so a newer report of a partition wins). */
  #fresh(): Received[] {
    const now = this.#clock.now();
    return [...this.#reports.values()].filter((r) => now - r.receivedAt <= this.#staleMs).sort((a, b) => a.report.at - b.report.at);
  }

  /** Rows (pulled + pushed) and bytes per second of every partition, 0 where no fresh report covers it. */
  partitionLoad(partitions: number): { rows: Float64Array; bytes: Float64Array } {
    const rows = new Float64Array(partitions);
    const bytes = new Float64Array(partitions);
    for (const { report } of this.#fresh()) {
      const l = report.load;
      l.partitions.forEach((p, i) => {
        if (p >= partitions) return;
        rows[p] = l.pullRows[i]! + l.pushRows[i]!;
        bytes[p] = l.pullBytes[i]! + l.pushBytes[i]!;
      });
    }
    return { rows, bytes };
  }

  /** The hottest keys over every fresh report, hottest first. */
  hotKeys(n = 16): ReportedHotKey[] {
    return this.#fresh().flatMap((r) => r.report.hotKeys).sort((a, b) => b.rate - a.rate).slice(0, Math.min(n, MAX_REPORTED_HOT_KEYS));
  }

  /** The plan the coordinator would run now over `shards` (the live ones) and the map, with each shard's load. */
  plan(map: PartitionMap, shards: readonly string[], opts: { targetRatio?: number; maxMoves?: number } = {}): RebalancePlanReply {
    const { rows, bytes } = this.partitionLoad(map.partitions);
    const plan = planRebalance({ owners: map.owners, load: rows, shards, targetRatio: opts.targetRatio, maxMoves: opts.maxMoves });
    const now = this.#clock.now();
    const summaries: ShardLoadSummary[] = [...new Set(shards)].sort().map((shardId) => {
      const r = this.#reports.get(shardId);
      let shardBytes = 0;
      let owned = 0;
      map.owners.forEach((o, p) => {
        if (o !== shardId) return;
        owned++;
        shardBytes += bytes[p]!;
      });
      return {
        shardId, rowsPerSec: plan.before.get(shardId) ?? 0, bytesPerSec: shardBytes, partitions: owned,
        reportAgeMs: r ? Math.max(0, Math.round(now - r.receivedAt)) : -1,
      };
    });
    return {
      v: 1, type: "ctl.rebalance.planned", epoch: map.epoch, targetRatio: plan.targetRatio, maxMoves: plan.maxMoves, shards: summaries,
      ratioBefore: plan.ratioBefore, ratioAfter: plan.ratioAfter, moves: plan.moves, verdict: plan.verdict, explanation: plan.explanation,
      hotKeys: this.hotKeys(), unreported: summaries.filter((s) => s.reportAgeMs < 0 || s.reportAgeMs > this.#staleMs).map((s) => s.shardId),
    };
  }
}
