/**
 * A chaos scenario file (YAML): the job to run, the faults to inject (a fixed timeline, a
 * seeded random schedule, or both), and the checkers whose verdicts decide the run.
 *
 *   name: kill-shards
 *   job: ../../examples/adult.yaml      # a cluster config, relative to this file
 *   set: { job.epochs: 8 }              # overrides, as `colony up --set`
 *   faults:
 *     start: 2s                         # after the first rows are trained
 *     timeline: [{ at: 0s, fault: kill, target: shard-1 }]
 *     random: { every: 6s, until: 60s, kinds: { kill: 3, stop: 1 }, targets: [worker, shard] }
 *   checkers: { exactly-once: {}, rows-trained: {}, liveness: { bound: 30s } }
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import YAML from "yaml";
import { z } from "zod";

/** What a fault does to its target. */
export const FaultKind = {
  /** SIGKILL: the process is gone without a word. */
  Kill: "kill",
  /** SIGTERM: the process is asked to stop (and its supervisor starts it again). */
  Term: "term",
  /** SIGSTOP for `for`, then SIGCONT: a hung node (its supervisor may replace it first). */
  Stop: "stop",
  /** The NATS server stops and starts again on the same port and store. */
  NatsRestart: "nats-restart",
  /** Network faults between hosts in network namespaces. */
  Partition: "partition",
  Latency: "latency",
  Loss: "loss",
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

/** Actor kinds a fault can target; an actor id (e.g. `shard-1`) targets one actor. */
export const TARGET_KINDS = ["worker", "shard", "coordinator"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const CHECKERS = ["exactly-once", "rows-trained", "liveness", "quality", "bitwise"] as const;
export type CheckerName = (typeof CHECKERS)[number];

/** A scenario file that cannot be used; the message names the field and what it accepts. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

/** "500ms" | "5s" | "2m" | a number of ms → ms. */
export function parseDuration(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  const m = typeof v === "string" ? DURATION.exec(v.trim()) : null;
  if (!m) throw new RangeError(`expected a duration such as 500ms, 5s or 2m, got ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  return Math.round(m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000);
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});
const faultKind = z.enum(Object.values(FaultKind) as [FaultKind, ...FaultKind[]]);
const target = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, { message: "an actor kind (worker, shard, coordinator) or an actor id such as shard-1" });

const TimedFault = z.strictObject({
  at: duration,
  fault: faultKind,
  /** Actor kind or id; not used by nats-restart. */
  target: target.optional(),
  /** stop: how long the process stays stopped; nats-restart: how long the server stays down; network faults: how long they last. */
  for: duration.optional(),
  /** latency: the delay added to every chunk, both ways. Default 200ms. */
  latency: duration.optional(),
  /** loss: the share of chunks held back by a retransmission timeout. Default 0.2. */
  rate: z.number().min(0).max(1).optional(),
});

const RandomFaults = z.strictObject({
  /** Mean gap between faults; each gap is uniform in [0.5, 1.5] × every. */
  every: duration,
  /** No fault starts later than this after `start`. */
  until: duration,
  /** At most this many faults. */
  count: z.number().int().positive().optional(),
  /** Relative weights of the fault kinds. */
  kinds: z.partialRecord(faultKind, z.number().nonnegative()),
  /** Actor kinds the process faults pick their targets from. */
  targets: z.array(z.enum(TARGET_KINDS)).nonempty().default(["worker", "shard", "coordinator"]),
  for: duration.optional(),
  latency: duration.optional(),
  rate: z.number().min(0).max(1).optional(),
});

const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  description: z.string().optional(),
  job: z.string(),
  set: z.record(z.string(), z.unknown()).default({}),
  /** Seed of the random schedule and of target picks; `--seed` overrides it. */
  seed: z.number().int().nonnegative().default(1),
  faults: z.strictObject({
    start: duration.default(2000),
    timeline: z.array(TimedFault).default([]),
    random: RandomFaults.optional(),
    /** Default duration of stop faults and of a NATS restart's downtime. */
    for: duration.default(3000),
  }).prefault({}),
  checkers: z.partialRecord(z.enum(CHECKERS), z.record(z.string(), z.unknown()).nullable()),
});

export type TimedFault = z.output<typeof TimedFault>;
export type RandomFaults = z.output<typeof RandomFaults>;
export type ScenarioDocument = z.output<typeof ScenarioSchema>;

/** A validated scenario, its job config path made absolute. */
export interface Scenario extends ScenarioDocument {
  readonly file: string;
  /** Absolute path of the cluster config. */
  readonly jobFile: string;
}

/** Validates a parsed scenario document. */
export function parseScenario(doc: unknown, file: string): Scenario {
  const r = ScenarioSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`);
    throw new ScenarioError(file, `not a valid chaos scenario:\n  ${issues.join("\n  ")}`);
  }
  const s = r.data;
  if (s.faults.timeline.length === 0 && !s.faults.random) throw new ScenarioError(file, "faults: give a timeline, a random schedule, or both");
  if (Object.keys(s.checkers).length === 0) throw new ScenarioError(file, `checkers: name at least one of ${CHECKERS.join(", ")}`);
  for (const [i, f] of s.faults.timeline.entries()) {
    const process = f.fault !== FaultKind.NatsRestart;
    if (process && !f.target) throw new ScenarioError(file, `faults.timeline.${i}.target: a ${f.fault} fault needs a target (actor kind or id)`);
  }
  return { ...s, file, jobFile: resolve(dirname(file), s.job) };
}

/** The fault kinds that act on an actor's network link. */
export const NETWORK_FAULTS: readonly FaultKind[] = [FaultKind.Partition, FaultKind.Latency, FaultKind.Loss];

/** Whether the scenario may inject network faults (the harness then routes actors through links). */
export function usesNetworkFaults(s: Scenario): boolean {
  return s.faults.timeline.some((f) => NETWORK_FAULTS.includes(f.fault))
    || Object.entries(s.faults.random?.kinds ?? {}).some(([k, w]) => (w ?? 0) > 0 && NETWORK_FAULTS.includes(k as FaultKind));
}

/** Reads and validates a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ScenarioError(path, `cannot read it: ${(err as Error).message}`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ScenarioError(path, `not valid YAML: ${doc.errors[0]!.message}`);
  return parseScenario(doc.toJS({ maxAliasCount: 0 }), path);
}
