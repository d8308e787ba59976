/**
 * Shard and partition load as gauges, from the shards' `ps.load` reports (decayed rates,
 * protocols/load-report.ts): each shard's rows per second pulled and pushed and its
 * bytes per second, from the status board's `shardLoad`; and each partition's rows per
 * second, from the board's per-partition view. Per-partition series are bounded: every
 * partition when the cluster has at most PARTITION_SERIES_LIMIT, else only that many of
 * the hottest (which then change over time: a partition that cools drops out).
 */
import type { Meter } from "@opentelemetry/api";
import type { StatusReply } from "../../protocols/index.js";

/** Most per-partition series one collection exports (per direction). */
export const PARTITION_SERIES_LIMIT = 256;

/** One partition's load as its owner's latest fresh report gives it. */
export interface PartitionLoadPoint {
  readonly partition: number;
  /** The shard that reported it. */
  readonly shardId: string;
  readonly pullRowsPerSec: number;
  readonly pushRowsPerSec: number;
}

/** The PARTITION_SERIES_LIMIT hottest of `points` (rows pulled plus pushed), or all of them when they are no more. */
export function boundedPartitionLoad(points: readonly PartitionLoadPoint[], limit = PARTITION_SERIES_LIMIT): PartitionLoadPoint[] {
  if (points.length <= limit) return [...points];
  return [...points].sort((a, b) => b.pullRowsPerSec + b.pushRowsPerSec - (a.pullRowsPerSec + a.pushRowsPerSec) || a.partition - b.partition).slice(0, limit);
}

/** Names of the metrics these instruments export, for docs and tests. */
export const LOAD_METRIC_NAMES: readonly string[] = [
  "colony_shard_load_rows_per_second", "colony_shard_load_bytes_per_second", "colony_partition_load_rows_per_second",
];

/** Registers the load gauges on `meter`; each source is called once per collection. */
export function registerLoadInstruments(meter: Meter, status: () => StatusReply, partitions: () => readonly PartitionLoadPoint[]): void {
  const shardRows = meter.createObservableGauge("colony_shard_load_rows_per_second", {
    description: "Rows a shard serves to pulls (direction=pull) and applies from pushes (direction=push) per second, decayed (shards.loadHalfLifeMs).", unit: "1/s",
  });
  const shardBytes = meter.createObservableGauge("colony_shard_load_bytes_per_second", {
    description: "Row bytes a shard serves and applies per second, pull and push together, decayed.", unit: "By/s",
  });
  const partitionRows = meter.createObservableGauge("colony_partition_load_rows_per_second", {
    description: `Rows of one partition pulled or pushed per second, decayed; all partitions up to ${PARTITION_SERIES_LIMIT}, else the ${PARTITION_SERIES_LIMIT} hottest.`, unit: "1/s",
  });
  meter.addBatchObservableCallback((result) => {
    for (const l of status().shardLoad ?? []) {
      const who = { actor: l.shardId, kind: "shard" };
      result.observe(shardRows, l.pullRowsPerSec, { ...who, direction: "pull" });
      result.observe(shardRows, l.pushRowsPerSec, { ...who, direction: "push" });
      result.observe(shardBytes, l.bytesPerSec, who);
    }
    for (const p of boundedPartitionLoad(partitions())) {
      const labels = { partition: String(p.partition), actor: p.shardId };
      result.observe(partitionRows, p.pullRowsPerSec, { ...labels, direction: "pull" });
      result.observe(partitionRows, p.pushRowsPerSec, { ...labels, direction: "push" });
    }
  }, [shardRows, shardBytes, partitionRows]);
}
