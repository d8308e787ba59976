/**
 * The faults a scenario will inject, in time order, decided before the run from the
 * scenario and a seed: the same seed gives the same schedule (times, kinds, target
 * kinds), so a failing run can be replayed. Which actor of a kind is hit is picked at
 * injection time, from the actors alive then, with the same seeded generator.
 */
import { seededRandom } from "../train/index.js";
import { FaultKind, TARGET_KINDS, type Scenario } from "./scenario.js";

export { seededRandom };

/** One fault to inject `atMs` after the faults' start. */
export interface PlannedFault {
  readonly atMs: number;
  readonly kind: FaultKind;
  /** Actor kind or actor id; undefined for faults of the NATS server. */
  readonly target?: string;
  /** stop: time stopped; nats-restart: time down; network faults: how long they last. */
  readonly forMs: number;
  /** latency faults: added delay; loss faults: share of chunks stalled. */
  readonly latencyMs: number;
  readonly lossRate: number;
}

const DEFAULT_LATENCY_MS = 200;
const DEFAULT_LOSS_RATE = 0.2;

/** Picks one of `weights`' keys with probability proportional to its weight. */
export function pickWeighted<K extends string>(weights: Partial<Record<K, number>>, random: () => number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (total <= 0) throw new RangeError("every weight is 0: nothing to pick");
  let x = random() * total;
  for (const [k, w] of entries) {
    if ((x -= w) < 0) return k;
  }
  return entries.at(-1)![0];
}

/** The scenario's timeline and random schedule, merged in time order. */
export function planFaults(scenario: Scenario, seed: number): PlannedFault[] {
  const { timeline, random: schedule, for: defaultFor } = scenario.faults;
  const planned: PlannedFault[] = timeline.map((f) => ({
    atMs: f.at, kind: f.fault, target: f.target, forMs: f.for ?? defaultFor, latencyMs: f.latency ?? DEFAULT_LATENCY_MS, lossRate: f.rate ?? DEFAULT_LOSS_RATE,
  }));
  if (schedule) {
    const random = seededRandom(seed);
    let at = 0;
    for (let n = 0; schedule.count === undefined || n < schedule.count; n++) {
      at += Math.round(schedule.every * (0.5 + random()));
      if (at > schedule.until) break;
      const kind = pickWeighted(schedule.kinds, random);
      const targets = schedule.targets.filter((t) => (TARGET_KINDS as readonly string[]).includes(t));
      const target = kind === FaultKind.NatsRestart ? undefined : targets[Math.floor(random() * targets.length)];
      planned.push({
        atMs: at, kind, target, forMs: schedule.for ?? defaultFor, latencyMs: schedule.latency ?? DEFAULT_LATENCY_MS, lossRate: schedule.rate ?? DEFAULT_LOSS_RATE,
      });
    }
  }
  return planned.sort((a, b) => a.atMs - b.atMs);
}
