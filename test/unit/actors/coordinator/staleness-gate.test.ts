import { describe, expect, it } from "vitest";
import { StalenessGate } from "../../../../actors/coordinator/staleness-gate.js";

describe("the ssp staleness gate", () => {
  it("lets a worker lead the slowest by at most the bound", () => {
    const g = new StalenessGate(1);
    g.join("a");
    g.join("b");
    expect(g.mayLease("a")).toBe(true);
    g.completed("a");
    expect(g.mayLease("a")).toBe(true); // lead 1
    g.completed("a");
    expect(g.mayLease("a")).toBe(false); // lead 2
    g.completed("b");
    expect(g.mayLease("a")).toBe(true);
    expect(g.stats()).toMatchObject({ waits: 1, maxLead: 1, bound: 1, clocks: { a: 2, b: 1 } });
  });

  it("is lock-step at bound 0", () => {
    const g = new StalenessGate(0);
    for (const w of ["a", "b", "c"]) g.join(w);
    g.completed("a");
    expect(g.mayLease("a")).toBe(false);
    g.completed("b");
    expect(g.mayLease("a")).toBe(false);
    g.completed("c");
    expect(g.mayLease("a")).toBe(true);
  });

  it("starts a joining or restarted worker at the slowest live clock, not at zero", () => {
    const g = new StalenessGate(2);
    g.join("a");
    g.join("b");
    for (let i = 0; i < 5; i++) { g.completed("a"); g.completed("b"); }
    g.completed("a");
    g.join("c");
    expect(g.stats().clocks["c"]).toBe(5);
    expect(g.mayLease("a")).toBe(true);
    g.join("a"); // restarted under its id
    expect(g.stats().clocks["a"]).toBe(5);
  });

  it("stops waiting for a worker that left or was lost", () => {
    const g = new StalenessGate(0);
    g.join("a");
    g.join("slow");
    g.completed("a");
    expect(g.mayLease("a")).toBe(false);
    g.leave("slow");
    expect(g.mayLease("a")).toBe(true);
  });

  it("never grants a lease above the bound, whatever the order of events", () => {
    let seed = 9;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 50; run++) {
      const bound = Math.floor(rnd() * 4);
      const g = new StalenessGate(bound);
      const ws = ["w0", "w1", "w2", "w3"];
      for (const w of ws) g.join(w);
      for (let i = 0; i < 300; i++) {
        const w = ws[Math.floor(rnd() * ws.length)]!;
        const r = rnd();
        if (r < 0.05) g.leave(w);
        else if (r < 0.1) g.join(w);
        else if (g.mayLease(w)) g.completed(w);
      }
      expect(g.stats().maxLead).toBeLessThanOrEqual(bound);
    }
  });

  it("refuses a negative or fractional bound", () => {
    expect(() => new StalenessGate(-1)).toThrow(RangeError);
    expect(() => new StalenessGate(1.5)).toThrow(RangeError);
  });
});
