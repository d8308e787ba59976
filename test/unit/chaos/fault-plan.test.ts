import { describe, expect, it } from "vitest";
import { parseScenario, planFaults, seededRandom } from "../../../chaos/index.js";

const scenario = (faults: unknown) => parseScenario({ name: "t", job: "j.yaml", faults, checkers: { liveness: {} } }, "/t.yaml");

describe("fault plans", () => {
  it("gives the same schedule for the same seed and a different one for another", () => {
    const s = scenario({ random: { every: "5s", until: "5m", kinds: { kill: 2, stop: 1, "nats-restart": 1 }, targets: ["worker", "shard"] } });
    expect(planFaults(s, 7)).toEqual(planFaults(s, 7));
    expect(planFaults(s, 7)).not.toEqual(planFaults(s, 8));
  });

  it("spaces random faults by every × [0.5, 1.5], stops at until, and honours count", () => {
    const s = scenario({ random: { every: "10s", until: "10m", kinds: { kill: 1 } } });
    const plan = planFaults(s, 3);
    expect(plan.length).toBeGreaterThan(40);
    expect(plan.at(-1)!.atMs).toBeLessThanOrEqual(600_000);
    for (let i = 0; i < plan.length; i++) {
      const gap = plan[i]!.atMs - (i === 0 ? 0 : plan[i - 1]!.atMs);
      expect(gap).toBeGreaterThanOrEqual(5000);
      expect(gap).toBeLessThanOrEqual(15_000);
    }
    const capped = scenario({ random: { every: "10s", until: "10m", count: 4, kinds: { kill: 1 } } });
    expect(planFaults(capped, 3)).toHaveLength(4);
  });

  it("picks kinds by weight and targets from the listed actor kinds; NATS faults have no target", () => {
    const s = scenario({ random: { every: "1s", until: "2000s", kinds: { kill: 3, "nats-restart": 1, term: 0 }, targets: ["shard"] } });
    const plan = planFaults(s, 11);
    const kills = plan.filter((f) => f.kind === "kill").length;
    const nats = plan.filter((f) => f.kind === "nats-restart");
    expect(plan.some((f) => f.kind === "term")).toBe(false);
    expect(kills / plan.length).toBeGreaterThan(0.65);
    expect(kills / plan.length).toBeLessThan(0.85);
    expect(nats.every((f) => f.target === undefined)).toBe(true);
    expect(plan.filter((f) => f.kind === "kill").every((f) => f.target === "shard")).toBe(true);
  });

  it("merges the timeline with the random schedule in time order, with per-fault or default durations", () => {
    const s = scenario({ for: "4s", timeline: [{ at: "30s", fault: "stop", target: "coordinator", for: "9s" }, { at: "1s", fault: "kill", target: "shard-1" }], random: { every: "20s", until: "60s", kinds: { stop: 1 } } });
    const plan = planFaults(s, 1);
    expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
    expect(plan.find((f) => f.target === "coordinator")!.forMs).toBe(9000);
    expect(plan.filter((f) => f.target !== "coordinator" && f.kind === "stop").every((f) => f.forMs === 4000)).toBe(true);
  });

  it("draws uniform numbers in [0, 1)", () => {
    const r = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});
