/**
 * Restart backoff: delay = min(maxMs, initialMs · multiplier^(consecutive failures − 1)),
 * spread by ±jitter with the injected random source, and back to initialMs once a child
 * has run for periodMs.
 */
import { describe, expect, it } from "vitest";
import { restartDelay, type BackoffSpec } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, spec } from "./helpers/fake-children.js";

const backoff: BackoffSpec = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };

describe("restartDelay", () => {
  it("doubles per consecutive failure up to the cap", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((n) => restartDelay(backoff, n, mid))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("spreads each delay within ±jitter, at the bounds for the extreme random values", () => {
    const jittered = { ...backoff, jitter: 0.2 };
    expect(restartDelay(jittered, 2, () => 0)).toBe(160);
    expect(restartDelay(jittered, 2, () => 0.5)).toBe(200);
    expect(restartDelay(jittered, 2, () => 0.999_999)).toBe(240);
    for (let i = 0; i < 200; i++) {
      const d = restartDelay(jittered, 5, Math.random);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1200);
    }
  });

  it("is never negative, whatever the jitter", () => {
    expect(restartDelay({ ...backoff, jitter: 1 }, 1, () => 0)).toBe(0);
  });
});

describe("backoff in a supervisor", () => {
  it("waits longer after each consecutive failure of a child", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 100, periodMs: 60_000, backoff, children: [sys.worker("a")] }));
    await sup.start();
    const events = recordEvents(sup);
    for (let i = 0; i < 5; i++) {
      sys.child("a").exit(1);
      await sys.advance(1000);
    }
    expect(eventsOf(events, "child.restarted").map((e) => e.delayMs)).toEqual([100, 200, 400, 800, 1000]);
  });

  it("starts the child again only once the delay has passed", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 100, periodMs: 60_000, backoff, children: [sys.worker("a")] }));
    await sup.start();
    sys.child("a").exit(1);
    await sys.advance(100);
    sys.child("a").exit(1);
    await sys.advance(199);
    const from = sys.mark();
    await sys.advance(1);
    expect(sys.since(from)).toEqual(["start:a"]);
  });

  it("applies the injected jitter to every delay, within its bounds", async () => {
    const sys = new FakeSystem();
    const draws = [0, 0.999_999, 0.25];
    const sup = sys.supervisor(
      spec({ intensity: 100, periodMs: 60_000, backoff: { ...backoff, jitter: 0.5 }, children: [sys.worker("a")] }),
      () => draws.shift() ?? 0.5,
    );
    await sup.start();
    const events = recordEvents(sup);
    for (let i = 0; i < 3; i++) {
      sys.child("a").exit(1);
      await sys.advance(1000);
    }
    // 100 · (1 − 0.5), 200 · (1 + 0.5), 400 · (1 − 0.25)
    expect(eventsOf(events, "child.restarted").map((e) => e.delayMs)).toEqual([50, 300, 300]);
  });

  it("starts over at initialMs after the child has run for periodMs", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 100, periodMs: 5000, backoff, children: [sys.worker("a")] }));
    await sup.start();
    const events = recordEvents(sup);
    for (let i = 0; i < 3; i++) {
      sys.child("a").exit(1);
      await sys.advance(1000);
    }
    await sys.advance(5000);
    sys.child("a").exit(1);
    await sys.advance(1000);
    expect(eventsOf(events, "child.restarted").map((e) => e.delayMs)).toEqual([100, 200, 400, 100]);
  });

  it("keeps one child's backoff from affecting another's", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 100, periodMs: 60_000, backoff, children: [sys.worker("a"), sys.worker("b")] }));
    await sup.start();
    const events = recordEvents(sup);
    for (let i = 0; i < 3; i++) {
      sys.child("a").exit(1);
      await sys.advance(1000);
    }
    sys.child("b").exit(1);
    await sys.advance(1000);
    expect(eventsOf(events, "child.restarted").map((e) => [e.child, e.delayMs])).toEqual([["a", 100], ["a", 200], ["a", 400], ["b", 100]]);
  });
});
