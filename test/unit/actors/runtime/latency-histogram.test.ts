import { describe, expect, it } from "vitest";
import { Counters } from "../../../../actors/runtime/counters.js";
import {
  LATENCY_BUCKETS_MS, latencyHistogramNames, readLatencyHistogram, recordLatency, STALENESS_BUCKETS_ENTRIES, STALENESS_HISTOGRAM,
} from "../../../../actors/runtime/latency-histogram.js";

describe("latency histograms carried in counters", () => {
  it("counts each duration in the first bucket whose bound is at least the duration", () => {
    const c = new Counters();
    for (const ms of [0.5, 1, 1.5, 7, 7, 12_000]) recordLatency(c, "pull_ms", ms);
    const h = readLatencyHistogram(c.snapshot(), "pull_ms")!;
    expect(h.boundaries).toEqual(LATENCY_BUCKETS_MS);
    expect(h.counts).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
    expect(h.counts[0]).toBe(2); // 0.5 and 1 (bounds are inclusive)
    expect(h.counts[1]).toBe(1); // 1.5 ≤ 2
    expect(h.counts[3]).toBe(2); // 7 ≤ 10
    expect(h.counts.at(-1)).toBe(1); // 12 s overflows the last bound
    expect(h.count).toBe(6);
    expect(h.sum).toBeCloseTo(12_017, 6);
  });

  it("survives the trip through a plain counters object, as on a heartbeat", () => {
    const c = new Counters();
    recordLatency(c, "push_ms", 3);
    recordLatency(c, "pull_ms", 40);
    const wire = JSON.parse(JSON.stringify(c.snapshot())) as Record<string, number>;
    expect(latencyHistogramNames(wire)).toEqual(["pull_ms", "push_ms"]);
    expect(readLatencyHistogram(wire, "push_ms")!.counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("reads nothing for a histogram never recorded", () => {
    expect(readLatencyHistogram({ "rows.trained": 5 }, "pull_ms")).toBeUndefined();
    expect(latencyHistogramNames({ "rows.trained": 5 })).toEqual([]);
  });

  it("counts staleness in its own entry buckets, with a bucket of its own for 0", () => {
    const c = new Counters();
    for (const entries of [0, 0, 7, 300, 250_000]) recordLatency(c, STALENESS_HISTOGRAM, entries);
    const h = readLatencyHistogram(c.snapshot(), STALENESS_HISTOGRAM)!;
    expect(h.boundaries).toEqual(STALENESS_BUCKETS_ENTRIES);
    expect(h.counts).toHaveLength(STALENESS_BUCKETS_ENTRIES.length + 1);
    expect(h.counts[0]).toBe(2); // exactly current
    expect(h.counts[1]).toBe(1); // 7 ≤ 10
    expect(h.counts[STALENESS_BUCKETS_ENTRIES.indexOf(500)]).toBe(1); // 300 ≤ 500
    expect(h.counts.at(-1)).toBe(1);
    expect(h.sum).toBe(250_307);
  });
});
