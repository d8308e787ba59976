/**
 * The elasticity benchmark's record (bench/results/elasticity.json), its summary rows
 * (median and max of each timing over the repetitions, beside the issue's floors) and
 * its markdown page (elasticity.md). Pure functions of the samples: nothing here measures.
 */
import type { ScaleDownSample, ScaleUpSample, ShardKillSample, WorkerFaultSample } from "./elasticity-events.js";
import { describeMachine, type MachineInfo } from "./machine.js";

/** Every sample of one run, by event kind. */
export interface ElasticitySamples {
  readonly scaleUp: readonly ScaleUpSample[];
  readonly scaleDown: readonly ScaleDownSample[];
  readonly killWorker: readonly WorkerFaultSample[];
  readonly stopWorker: readonly WorkerFaultSample[];
  readonly killShard: readonly ShardKillSample[];
}

/** One timing across the repetitions. */
export interface SummaryRow {
  readonly metric: string;
  readonly what: string;
  readonly n: number;
  readonly medianMs: number | undefined;
  readonly maxMs: number | undefined;
  /** The issue's floor for this timing, when it sets one. */
  readonly floorMs?: number;
  /** True when even the slowest repetition met the floor. */
  readonly maxMeetsFloor?: boolean;
}

export interface ElasticityRecord {
  readonly bench: "colony-elasticity";
  readonly version: 1;
  readonly date: string;
  readonly command: string;
  readonly repetitions: number;
  /** Detected before the run; its load average is the load before the run. */
  readonly machine: MachineInfo;
  readonly loadAverage1mAtEnd: number;
  readonly cluster: {
    readonly config: string;
    readonly overrides: readonly string[];
    readonly trainRows: number;
    readonly shards: number;
    readonly workers: number;
    readonly heartbeatTimeoutMs: number;
  };
  readonly method: readonly string[];
  readonly summary: readonly SummaryRow[];
  readonly samples: ElasticitySamples;
}

/** Floors from issue 3: a new worker pushing within 2 s of `colony scale`, a replacement within 3 s of a kill -9. */
export const FLOORS = { scaleToPushMs: 2000, killToPushMs: 3000 } as const;

/** The middle value (mean of the two middle ones for an even count); undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

function row(metric: string, what: string, values: readonly (number | undefined)[], floorMs?: number): SummaryRow {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const max = xs.length === 0 ? undefined : Math.max(...xs);
  const base = { metric, what, n: xs.length, medianMs: median(xs), maxMs: max };
  return floorMs === undefined ? base : { ...base, floorMs, maxMeetsFloor: max !== undefined && max <= floorMs };
}

/** Median and max of every timing, in the order the page shows them. */
export function summarise(s: ElasticitySamples): SummaryRow[] {
  return [
    row("scale.push", "`colony scale` → new worker's first push", s.scaleUp.map((x) => x.pushMs), FLOORS.scaleToPushMs),
    row("scale.recordedToPush", "new count recorded (supervisor's `scaling workers`) → new worker's first push", s.scaleUp.map((x) => x.pushMs - x.recordedMs)),
    row("scale.lease", "`colony scale` → new worker's first lease", s.scaleUp.map((x) => x.leaseMs)),
    row("scale.ready", "`colony scale` → new worker loaded and connected", s.scaleUp.map((x) => x.readyMs)),
    row("scale.started", "`colony scale` → new worker's process spawned", s.scaleUp.map((x) => x.startedMs)),
    row("scale.recorded", "`colony scale` → new count recorded (supervisor's `scaling workers`)", s.scaleUp.map((x) => x.recordedMs)),
    row("scale.command", "`colony scale` command, spawn to exit", s.scaleUp.map((x) => x.commandMs)),
    row("scaledown.stopped", "`colony scale` down → leaving worker stopped (lease given back)", s.scaleDown.map((x) => x.stoppedMs)),
    row("kill.push", "kill -9 worker → replacement's first push", s.killWorker.map((x) => x.pushMs), FLOORS.killToPushMs),
    row("kill.lease", "kill -9 worker → replacement's first lease", s.killWorker.map((x) => x.leaseMs)),
    row("kill.ready", "kill -9 worker → replacement loaded and connected", s.killWorker.map((x) => x.readyMs)),
    row("kill.started", "kill -9 worker → replacement process spawned", s.killWorker.map((x) => x.startedMs)),
    row("kill.detected", "kill -9 worker → supervisor saw the exit", s.killWorker.map((x) => x.detectedMs)),
    row("stop.push", "SIGSTOP worker → replacement's first push", s.stopWorker.map((x) => x.pushMs)),
    row("stop.detected", "SIGSTOP worker → killed for silence (heartbeat timeout)", s.stopWorker.map((x) => x.detectedMs)),
    row("stop.afterDetect", "SIGSTOP: silence detected → replacement's first push", s.stopWorker.map((x) => x.pushMs - x.detectedMs)),
    row("shard.serving", "kill -9 shard → restarted shard serving", s.killShard.map((x) => x.servingMs)),
    row("shard.started", "kill -9 shard → shard process spawned", s.killShard.map((x) => x.startedMs)),
    row("shard.training", "kill -9 shard → workers training again (±1 s)", s.killShard.map((x) => x.trainingAgainMs)),
  ];
}

const ms = (x: number | undefined): string => (x === undefined ? "–" : `${Math.round(x).toLocaleString("en-US")}`);
const int = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));

/** elasticity.md: the summary against the floors, throughput around events, every sample, the method, the machine. */
export function elasticityMarkdown(r: ElasticityRecord): string {
  const c = r.cluster;
  const lines = [
    "# Benchmark: elasticity (scale, worker and shard restarts)",
    "",
    `\`${c.config}\` with ${c.shards} shards and ${c.workers} workers on ${c.trainRows.toLocaleString("en-US")} synthetic CTR rows ` +
      `(overrides: ${c.overrides.map((o) => `\`${o}\``).join(", ")}); ${r.repetitions} repetitions of each event in one running cluster. ` +
      `Produced by \`${r.command}\` on ${r.date}.`,
    "",
    "| timing | n | median, ms | max, ms | floor (issue 3), ms | max within floor |",
    "| --- | ---: | ---: | ---: | ---: | :---: |",
    ...r.summary.map((s) => `| ${s.what} | ${s.n} | ${ms(s.medianMs)} | ${ms(s.maxMs)} | ${s.floorMs === undefined ? "" : ms(s.floorMs)} | ${s.maxMeetsFloor === undefined ? "" : s.maxMeetsFloor ? "yes" : "**no**"} |`),
    "",
    "## Training throughput around the events",
    "",
    "Whole-cluster rows/s from the workers' heartbeats: over the 5 s before the event, and from the event to the new or " +
      "replacement worker's first push; rows lost = what the cluster would have trained in that span at the earlier rate, minus what it did. " +
      "Heartbeats come once a second, so spans of one or two seconds give rough rates.",
    "",
    "| event | rows/s before (median) | rows/s during (median) | rows lost (median) | rows lost (max) |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  const rates: [string, readonly { rate: { before?: number; during?: number; rowsLost?: number } }[]][] = [
    ["scale up by one worker", r.samples.scaleUp],
    ["kill -9 a worker", r.samples.killWorker],
    ["SIGSTOP a worker", r.samples.stopWorker],
  ];
  for (const [name, xs] of rates) {
    const pick = (f: (x: { before?: number; during?: number; rowsLost?: number }) => number | undefined) =>
      xs.map((x) => f(x.rate)).filter((v): v is number => v !== undefined);
    const lost = pick((x) => x.rowsLost);
    lines.push(`| ${name} | ${int(median(pick((x) => x.before)))} | ${int(median(pick((x) => x.during)))} | ${int(median(lost))} | ${int(lost.length ? Math.max(...lost) : undefined)} |`);
  }
  lines.push(
    "",
    "## Every sample (ms from the command or signal)",
    "",
    "| event | actor | seen (exit, timeout, new count) | backoff | spawned | connected | first lease | first push / serving |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.samples.scaleUp.map((x) => `| scale ${x.from}→${x.to} | ${x.worker} | ${ms(x.recordedMs)} | | ${ms(x.startedMs)} | ${ms(x.readyMs)} | ${ms(x.leaseMs)} | ${ms(x.pushMs)} |`),
    ...r.samples.scaleDown.map((x) => `| scale ${x.from}→${x.to} | ${x.worker} | | | | | | stopped ${ms(x.stoppedMs)}${x.leaseReturned ? ", lease given back" : ""} |`),
    ...[...r.samples.killWorker, ...r.samples.stopWorker].map((x) =>
      `| ${x.signal === "SIGKILL" ? "kill -9" : "SIGSTOP"} | ${x.worker} | ${ms(x.detectedMs)} | ${ms(x.backoffMs)} | ${ms(x.startedMs)} | ${ms(x.readyMs)} | ${ms(x.leaseMs)} | ${ms(x.pushMs)} |`),
    ...r.samples.killShard.map((x) =>
      `| kill -9 shard | ${x.shard} | ${ms(x.detectedMs)} | ${ms(x.backoffMs)} | ${ms(x.startedMs)} | | | serving ${ms(x.servingMs)}, workers training ${ms(x.trainingAgainMs)}; ${int(x.rowsRestored)} rows restored |`),
    "",
    "## How it was measured",
    "",
    ...r.method.map((m) => `- ${m}`),
    "",
    `Machine: ${describeMachine(r.machine)}; load average (1 min) ${r.machine.loadAverage1m.toFixed(2)} at the start, ${r.loadAverage1mAtEnd.toFixed(2)} at the end.`,
    "",
  );
  return lines.join("\n");
}
