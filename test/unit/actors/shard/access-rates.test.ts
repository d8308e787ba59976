import { describe, expect, it } from "vitest";
import { AccessRates } from "../../../../actors/shard/access-rates.js";

const manualClock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

describe("AccessRates", () => {
  it("reports a steady stream's rate in rows and bytes per second, from the first seconds on", () => {
    const clock = manualClock();
    const rates = new AccessRates({ partitions: 4, halfLifeMs: 10_000, clock });
    // 200 rows of 64 bytes a second into partition 2, in 10 pulls a second, for 3 s.
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      rates.record(2, "pull", 20, 20 * 64);
    }
    const r = rates.rates(2);
    expect(r.pullRows).toBeGreaterThan(190);
    expect(r.pullRows).toBeLessThan(215);
    expect(r.pullBytes / r.pullRows).toBeCloseTo(64, 6);
    expect(r.pushRows).toBe(0);
    expect(rates.rates(1).pullRows).toBe(0);
  });

  it("keeps pulls and pushes apart", () => {
    const clock = manualClock();
    const rates = new AccessRates({ partitions: 1, clock });
    clock.advance(1000);
    rates.record(0, "push", 10, 640);
    const r = rates.rates(0);
    expect(r.pushRows).toBeGreaterThan(0);
    expect(r.pullRows).toBe(0);
  });

  it("halves a rate one half-life after its partition went quiet", () => {
    const clock = manualClock();
    const rates = new AccessRates({ partitions: 1, halfLifeMs: 5000, clock });
    for (let i = 0; i < 600; i++) {
      clock.advance(100);
      rates.record(0, "pull", 10, 10);
    }
    const before = rates.rates(0).pullRows;
    clock.advance(5000);
    expect(rates.rates(0).pullRows / before).toBeCloseTo(0.5, 2);
  });

  it("follows a change of rate within a few half-lives", () => {
    const clock = manualClock();
    const rates = new AccessRates({ partitions: 1, halfLifeMs: 2000, clock });
    for (let i = 0; i < 300; i++) { clock.advance(100); rates.record(0, "pull", 100, 0); }
    for (let i = 0; i < 100; i++) { clock.advance(100); rates.record(0, "pull", 10, 0); }
    // Five half-lives after the drop from 1000 to 100 rows/s: 100 + 900·2^-5 ≈ 128.
    expect(rates.rates(0).pullRows).toBeGreaterThan(120);
    expect(rates.rates(0).pullRows).toBeLessThan(136);
  });

  it("ignores partitions outside its range rather than corrupting another's counts", () => {
    const rates = new AccessRates({ partitions: 2 });
    rates.record(-1, "pull", 5, 5);
    rates.record(2, "pull", 5, 5);
    expect(rates.rates(0).pullRows + rates.rates(1).pullRows).toBe(0);
  });
});

describe("AccessRates on a shard that idled before its first access", () => {
  it("reports the true rate a few seconds after the first access, however long it idled", () => {
    const clock = manualClock();
    const rates = new AccessRates({ partitions: 1, halfLifeMs: 10_000, clock });
    clock.advance(30_000);
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      rates.record(0, "pull", 10, 10);
    }
    expect(rates.rates(0).pullRows).toBeGreaterThan(95);
    expect(rates.rates(0).pullRows).toBeLessThan(105);
  });
});
