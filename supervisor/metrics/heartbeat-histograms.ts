/**
 * Latency histograms measured inside actors (a worker's pull, compute, push and whole
 * step per batch) arrive pre-aggregated in heartbeat counters. The OpenTelemetry API
 * has no asynchronous histogram, so this MetricProducer hands them to the metric reader
 * as histogram data points, bucket for bucket, one series per actor: `hist.pull_ms` of
 * worker-0 becomes `colony_worker_pull_ms{actor="worker-0"}`.
 */
import type { Attributes, HrTime } from "@opentelemetry/api";
import { ValueType } from "@opentelemetry/api";
import { emptyResource } from "@opentelemetry/resources";
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type DataPoint, type Histogram, type HistogramMetricData, type MetricProducer,
} from "@opentelemetry/sdk-metrics";
import { latencyHistogramNames, readLatencyHistogram, STALENESS_HISTOGRAM } from "../../actors/index.js";
import type { StatusReply } from "../../protocols/index.js";

/** What each histogram measures, by its name in the counters. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  pull_ms: "Time a worker waits for the rows of one batch (all shards).",
  compute_ms: "Forward and backward pass of one batch on a worker.",
  push_ms: "Time a worker waits for one batch's gradients to be acknowledged (all shards).",
  step_ms: "One whole training step on a worker: pull, compute, push.",
  [STALENESS_HISTOGRAM]: "Async staleness of a batch: update-log entries stored after the log position its rows reflect and before its own push.",
};

/** The Prometheus name of histogram `name` measured by actors of `kind`. */
export function histogramMetricName(kind: string, name: string): string {
  return `colony_${kind}_${name}`.replace(/[^a-zA-Z0-9_]/g, "_");
}

const toHrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/** A MetricProducer of every heartbeat histogram in the snapshots `source` returns. */
export class HeartbeatHistograms implements MetricProducer {
  readonly #source: () => StatusReply;

  constructor(source: () => StatusReply) {
    this.#source = source;
  }

  /** One histogram metric per (kind, name), one data point per actor that reported it. */
  async collect(): Promise<CollectionResult> {
    const s = this.#source();
    const now = Date.now();
    const end = toHrTime(now);
    // Cumulative since the supervisor started (an actor restarted since then starts its counts over, a reset).
    const start = toHrTime(now - s.uptimeMs);
    const metrics = new Map<string, DataPoint<Histogram>[]>();
    for (const m of s.members) {
      for (const name of latencyHistogramNames(m.counters)) {
        const h = readLatencyHistogram(m.counters, name);
        if (!h) continue;
        const metric = histogramMetricName(m.kind, name);
        const attributes: Attributes = { actor: m.id, kind: m.kind };
        const point: DataPoint<Histogram> = {
          startTime: start, endTime: end, attributes,
          value: { buckets: { boundaries: [...h.boundaries], counts: h.counts }, count: h.count, sum: h.sum },
        };
        metrics.set(metric, [...(metrics.get(metric) ?? []), point]);
      }
    }
    const data: HistogramMetricData[] = [...metrics].map(([metric, dataPoints]) => {
      const name = metric.replace(/^colony_[a-z]+_/, "");
      return {
        descriptor: {
          name: metric, description: DESCRIPTIONS[name] ?? `Latency of ${name}.`, unit: name === STALENESS_HISTOGRAM ? "{entry}" : "ms", valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      };
    });
    return {
      // The reader keeps the SDK's resource; this one is only a placeholder the type asks for.
      resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: "colony.heartbeats" }, metrics: data }] },
      errors: [],
    };
  }
}
