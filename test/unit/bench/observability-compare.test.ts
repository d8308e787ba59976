import { describe, expect, it } from "vitest";
import type { LoopCpu } from "../../../bench/loop-cpu.js";
import { compare, lostFromCost } from "../../../bench/observability-compare.js";
import type { PairSample } from "../../../bench/observability-report.js";
import type { RunSample } from "../../../bench/observability-run.js";

/** A loop of `rows` rows that cost `usPerRow` CPU-µs each, all in the workers. */
function loop(usPerRow: number, rows = 100_000): LoopCpu {
  const cpuSeconds = (usPerRow * rows) / 1e6;
  return {
    available: true, from: 0, to: 60_000, seconds: 60, rows, cpuSeconds, coresBusy: cpuSeconds / 60,
    cpuSecondsByRole: { supervisor: 0, "nats-server": 0, coordinator: 0, shard: 0, worker: cpuSeconds, other: 0 },
  };
}

function run(setting: "off" | "on", ownUsPerRow: number): RunSample {
  return { observability: setting, samplesPerSec: 3000, loopSamplesPerSec: 3000, wallSeconds: 90, scrapes: 0, evaluations: 0, loopCpu: loop(ownUsPerRow), jobCpu: { cpuSeconds: 25, rows: 150_000 } };
}

/** A round whose shared-seconds windows cost `shared` CPU-µs/row (off, on) and whose whole loops cost `own`. */
function pair(k: number, shared: [number, number], own: [number, number]): PairSample {
  return {
    pair: k, order: "off, on", off: run("off", own[0]), on: run("on", own[1]), loadAverage1m: 20,
    offLoopCpu: loop(shared[0]), onLoopCpu: loop(shared[1]), lostWall: 0,
    lostLoopCpu: lostFromCost(shared[0] / 1e6, shared[1] / 1e6), lostJobCpu: 0, extraByRole: undefined,
  };
}

describe("one setting against off over the rounds of the observability benchmark", () => {
  it("turns CPU per row into throughput lost: 1 − off/on", () => {
    expect(lostFromCost(100, 105)).toBeCloseTo(1 - 100 / 105, 12);
    expect(lostFromCost(100, 95)).toBeLessThan(0);
    expect(lostFromCost(undefined, 100)).toBeUndefined();
  });

  it("says met when both windows put every interval under 5%", () => {
    const pairs = Array.from({ length: 10 }, (_, k) => pair(k + 1, [100, 100 + (k % 3)], [100, 101 + (k % 2)]));
    const c = compare("on", pairs);
    expect(c.loopCpu.verdict).toBe("met");
    expect(c.loopCpuOwnWindow.verdict).toBe("met");
    expect(c.verdict).toBe("met");
    expect(c.medianOffLoopCpuUsPerRow).toBeCloseTo(100, 9);
  });

  it("says not resolved when the shared seconds pass but the whole loops straddle 5%", () => {
    const own: [number, number][] = [[100, 98], [100, 110], [100, 101], [100, 112], [100, 96], [100, 108], [100, 103], [100, 111], [100, 99], [100, 107]];
    const pairs = own.map((o, k) => pair(k + 1, [100, 101], o));
    const c = compare("on", pairs);
    expect(c.loopCpu.verdict).toBe("met");
    expect(c.loopCpuOwnWindow.verdict).toBe("not_resolved");
    expect(c.verdict).toBe("not_resolved");
  });
});
