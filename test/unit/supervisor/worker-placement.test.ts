import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeWorkers } from "../../../supervisor/worker-placement.js";

const root = { id: "root", capacity: 256 };

describe("placeWorkers", () => {
  it("puts every worker on the root when no agent has joined", () => {
    expect(placeWorkers({ desired: 3, hosts: [root], current: {} })).toEqual({ root: ["worker-0", "worker-1", "worker-2"] });
  });

  it("places new workers on the least-loaded host, an agent before the root on a tie", () => {
    const next = placeWorkers({ desired: 3, hosts: [root, { id: "a1", capacity: 2 }], current: { root: ["worker-0"] } });
    expect(next).toEqual({ root: ["worker-0"], a1: ["worker-1", "worker-2"] });
  });

  it("moves the workers of a lost agent to the live hosts under their own ids", () => {
    const next = placeWorkers({ desired: 3, hosts: [root], current: { root: ["worker-0"], a1: ["worker-1", "worker-2"] } });
    expect(next).toEqual({ root: ["worker-0", "worker-1", "worker-2"] });
  });

  it("scales down from the most-loaded host, highest id first", () => {
    const next = placeWorkers({ desired: 2, hosts: [root, { id: "a1", capacity: 4 }], current: { root: ["worker-0"], a1: ["worker-1", "worker-2"] } });
    expect(next).toEqual({ root: ["worker-0"], a1: ["worker-1"] });
  });

  it("keeps the invariants: the desired count placed once each, nothing on lost hosts, capacities kept, live workers stay", () => {
    const hostIds = ["root", "a1", "a2", "a3"];
    const arb = fc.record({
      desired: fc.integer({ min: 0, max: 12 }),
      live: fc.subarray(["a1", "a2", "a3"]),
      capacity: fc.integer({ min: 0, max: 4 }),
      assignment: fc.array(fc.constantFrom(...hostIds), { maxLength: 12 }),
    });
    fc.assert(fc.property(arb, ({ desired, live, capacity, assignment }) => {
      const current: Record<string, string[]> = {};
      assignment.forEach((h, i) => (current[h] ??= []).push(`worker-${i}`));
      const hosts = [root, ...live.map((id) => ({ id, capacity }))];
      const next = placeWorkers({ desired, hosts, current });
      const all = Object.values(next).flat();
      expect(all.length).toBe(desired);
      expect(new Set(all).size).toBe(all.length);
      for (const h of Object.keys(next)) expect(hosts.some((x) => x.id === h)).toBe(true);
      for (const h of hosts) expect(next[h.id]!.length).toBeLessThanOrEqual(h.capacity);
      // A worker on a live host within capacity stays there unless the count went down.
      const kept = hosts.flatMap((h) => (current[h.id] ?? []).slice(0, h.capacity).map((id) => [h.id, id] as const));
      if (desired >= assignment.length) for (const [h, id] of kept) expect(next[h]).toContain(id);
    }), { numRuns: 500 });
  });
});
