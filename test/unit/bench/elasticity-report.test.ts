import { describe, expect, it } from "vitest";
import type { ScaleUpSample, WorkerFaultSample } from "../../../bench/elasticity-events.js";
import { FLOORS, median, summarise, type ElasticitySamples } from "../../../bench/elasticity-report.js";

const rate = { before: 1000, during: 800, rowsLost: 400 };
const scaleUp = (pushMs: number): ScaleUpSample => ({
  from: 2, to: 3, worker: "worker-2", commandMs: 500, recordedMs: 600, startedMs: 700, readyMs: 1000, leaseMs: 1200, pushMs, rate,
});
const kill = (pushMs: number): WorkerFaultSample => ({
  worker: "worker-0", signal: "SIGKILL", detectedMs: 40, backoffMs: 100, startedMs: 150, readyMs: 600, leaseMs: 900, pushMs, rate,
});
const samples = (over: Partial<ElasticitySamples>): ElasticitySamples => ({
  scaleUp: [], scaleDown: [], killWorker: [], stopWorker: [], killShard: [], ...over,
});

describe("median", () => {
  it("takes the middle value of an odd count and the mean of the two middle values of an even count, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("is undefined for no values", () => {
    expect(median([])).toBeUndefined();
  });
});

describe("summarise", () => {
  it("reports median and max of the scale-to-push time and judges the floor by the slowest repetition", () => {
    const rows = summarise(samples({ scaleUp: [scaleUp(1500), scaleUp(1900), scaleUp(2500)] }));
    const push = rows.find((r) => r.metric === "scale.push")!;
    expect(push).toMatchObject({ n: 3, medianMs: 1900, maxMs: 2500, floorMs: FLOORS.scaleToPushMs, maxMeetsFloor: false });
  });

  it("says the kill floor is met when every replacement pushed within it", () => {
    const rows = summarise(samples({ killWorker: [kill(2100), kill(2900)] }));
    expect(rows.find((r) => r.metric === "kill.push")).toMatchObject({ n: 2, medianMs: 2500, maxMs: 2900, maxMeetsFloor: true });
  });

  it("times the scale from the recorded count separately from the command", () => {
    const rows = summarise(samples({ scaleUp: [scaleUp(1500)] }));
    expect(rows.find((r) => r.metric === "scale.recordedToPush")?.medianMs).toBe(900);
  });

  it("leaves a timing without samples empty rather than zero, and never claims its floor is met", () => {
    const push = summarise(samples({})).find((r) => r.metric === "scale.push")!;
    expect(push).toMatchObject({ n: 0, medianMs: undefined, maxMs: undefined, maxMeetsFloor: false });
  });
});
