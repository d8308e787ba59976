/**
 * The in-process cost of Colony's instrumentation, resolvable where whole-job throughput
 * is too noisy to show it: how long a worker step's span calls take (step, read, pull,
 * compute, push, plus the header injection of a pull request), with no tracer
 * registered and with tracing on at a given sampling ratio; what the histograms a worker
 * records on every step cost; and how long one Prometheus
 * scrape of a realistic status board takes in the root supervisor.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { context, propagation, trace } from "@opentelemetry/api";
import { Counters, LATENCY_BUCKETS_MS, STALENESS_HISTOGRAM } from "../actors/index.js";
import { recordLatency } from "../actors/runtime/latency-histogram.js";
import { injectTraceContext } from "../actors/runtime/trace-headers.js";
import { startTracing } from "../actors/runtime/tracing.js";
import { inPhaseSpan, inStepSpan } from "../actors/worker/step-spans.js";
import type { MemberStatus, StatusReply } from "../protocols/index.js";
import { startPrometheusEndpoint } from "../supervisor/metrics/index.js";

/** What the instrumentation costs. */
export interface InstrumentationCost {
  /** Microseconds per step of span calls with no tracer registered (tracing off). */
  readonly stepSpansOffUs: number;
  /** The same with tracing on at `sampleRatio`, spans written to a file. */
  readonly stepSpansOnUs: number;
  /** Microseconds per step of the heartbeat histograms a worker records whatever the settings (pull, compute, push, step, staleness). */
  readonly stepHistogramsUs: number;
  readonly sampleRatio: number;
  /** Milliseconds per scrape of a 2-shard, 2-worker board (median of `scrapes`). */
  readonly scrapeMs: number;
  readonly scrapes: number;
}

/** One step's span calls around no work at all. */
async function oneStep(): Promise<void> {
  await inStepSpan(Date.now(), { "colony.task": "t", "colony.rows": 2048 }, async () => {
    await inPhaseSpan("pull", async () => { injectTraceContext(undefined); });
    inPhaseSpan("compute", () => 0);
    await inPhaseSpan("push", () => Promise.resolve());
  });
}

/** Microseconds per step of recording the worker's five histograms into its counters. */
function histogramsUsPerStep(steps: number): number {
  const c = new Counters();
  const once = (i: number): void => {
    for (const h of ["pull_ms", "compute_ms", "push_ms", "step_ms"]) recordLatency(c, h, (i % 997) * 0.37);
    recordLatency(c, STALENESS_HISTOGRAM, i % 311);
  };
  for (let i = 0; i < 1000; i++) once(i); // warm up
  const t = performance.now();
  for (let i = 0; i < steps; i++) once(i);
  return ((performance.now() - t) * 1000) / steps;
}

async function usPerStep(steps: number): Promise<number> {
  for (let i = 0; i < 1000; i++) await oneStep(); // warm up
  const t = performance.now();
  for (let i = 0; i < steps; i++) await oneStep();
  return ((performance.now() - t) * 1000) / steps;
}

function board(): StatusReply {
  const member = (id: string, kind: string): MemberStatus => {
    const c = new Counters();
    for (const k of ["rows.trained", "batches", "rows.pulled", "rows.applied", "rows.held", "bytes.in", "bytes.out", "served.ps.pull", "served.ps.push", "rejected", "rejected.malformed"]) c.inc(k, 12345);
    for (const h of ["pull_ms", "compute_ms", "push_ms", "step_ms"]) {
      for (let b = 0; b <= LATENCY_BUCKETS_MS.length; b++) c.inc(`hist.${h}.b${b}`, b * 3);
      c.inc(`hist.${h}.count`, 100);
      c.inc(`hist.${h}.sum`, 5000);
    }
    return { id, kind, state: "serving", pid: 1, host: "h", silentMs: 100, restarts: 0, counters: c.snapshot() };
  };
  return {
    v: 1, type: "ctl.status.reply", cluster: "bench", natsUrl: "nats://127.0.0.1:1", runDir: "/tmp", supervisorPid: 1, uptimeMs: 1,
    desiredWorkers: 2, mapEpoch: 1, restarts: 0, events: [], partitions: { "shard-0": 128, "shard-1": 128 },
    members: [member("coordinator", "coordinator"), member("shard-0", "shard"), member("shard-1", "shard"), member("worker-0", "worker"), member("worker-1", "worker")],
    progress: { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone: 1, rowsTotal: 2, samplesPerSec: 1, loss: 0.5, workers: 2 },
  };
}

/** Measures the instrumentation's cost; leaves no tracer registered. */
export async function measureInstrumentationCost(opts: { steps?: number; sampleRatio?: number; scrapes?: number } = {}): Promise<InstrumentationCost> {
  const steps = opts.steps ?? 50_000;
  const sampleRatio = opts.sampleRatio ?? 0.01;
  const scrapes = opts.scrapes ?? 50;
  const stepSpansOffUs = await usPerStep(steps);
  const stepHistogramsUs = histogramsUsPerStep(steps);
  const dir = await mkdtemp(path.join(tmpdir(), "colony-trace-cost-"));
  const tracing = await startTracing({ settings: { traces: "file", traceSampleRatio: sampleRatio }, cluster: "bench", actor: "worker-0", kind: "worker", runDir: dir });
  let stepSpansOnUs: number;
  try {
    stepSpansOnUs = await usPerStep(steps);
  } finally {
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    await rm(dir, { recursive: true, force: true });
  }
  const status = board();
  const endpoint = await startPrometheusEndpoint({ host: "127.0.0.1", port: 0, cluster: "bench", status: () => status });
  const times: number[] = [];
  try {
    for (let i = 0; i < scrapes; i++) {
      const t = performance.now();
      await (await fetch(endpoint.url)).text();
      times.push(performance.now() - t);
    }
  } finally {
    await endpoint.close();
  }
  times.sort((a, b) => a - b);
  return { stepSpansOffUs, stepSpansOnUs, stepHistogramsUs, sampleRatio, scrapeMs: times[Math.floor(times.length / 2)]!, scrapes };
}
