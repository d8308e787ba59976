import { describe, expect, it } from "vitest";
import { loopCpu, rowsAt, type CpuSnapshot, type WorkerBeat } from "../../../bench/loop-cpu.js";
import type { TreeCpu } from "../../../bench/process-tree-cpu.js";

/** A tree sample with all of its CPU in the workers. */
function cpu(seconds: number): TreeCpu {
  return { seconds, byRole: { supervisor: 0, "nats-server": 0, coordinator: 0, shard: 0, worker: seconds, other: 0 }, processes: 7 };
}

describe("CPU per row inside the training loop", () => {
  const beats: WorkerBeat[] = [{ t: 0, rows: 0 }, { t: 1000, rows: 2048 }, { t: 2000, rows: 6144 }];

  it("interpolates a worker's rows between its heartbeats and holds them flat outside", () => {
    expect(rowsAt(beats, 500)).toBe(1024);
    expect(rowsAt(beats, 1500)).toBe(4096);
    expect(rowsAt(beats, -10)).toBe(0);
    expect(rowsAt(beats, 9000)).toBe(6144);
    expect(rowsAt([], 100)).toBe(0);
  });

  it("takes the window from the first snapshot with rows trained to the last before every worker's final count", () => {
    const byWorker = new Map<string, WorkerBeat[]>([
      ["worker-0", [{ t: 0, rows: 0 }, { t: 1000, rows: 2048 }, { t: 2000, rows: 4096 }, { t: 3000, rows: 6144 }, { t: 4000, rows: 6144 }]],
      ["worker-1", [{ t: 500, rows: 0 }, { t: 1500, rows: 2048 }, { t: 2500, rows: 4096 }, { t: 3500, rows: 4096 }]],
    ]);
    // Start-up burns 5 s of CPU before any row; the loop 0.1 s per 1024 rows; the end 3 s more after the last count.
    const snapshots: CpuSnapshot[] = [
      { t: 0, cpu: cpu(5) }, { t: 500, cpu: cpu(5.05) }, { t: 1000, cpu: cpu(5.2) }, { t: 1500, cpu: cpu(5.4) },
      { t: 2000, cpu: cpu(5.6) }, { t: 2500, cpu: cpu(5.8) }, { t: 3000, cpu: cpu(6.0) }, { t: 3500, cpu: cpu(9) }, { t: 4000, cpu: cpu(9) },
    ];
    const r = loopCpu(snapshots, byWorker);
    if (!r.available) throw new Error(r.reason);
    // worker-1 reaches its final 4096 at t = 2500 and worker-0 its 6144 at 3000: the window is 500..2500.
    expect(r.seconds).toBeCloseTo(2, 12);
    expect(r.rows).toBeCloseTo(rowsAt(byWorker.get("worker-0")!, 2500) + 4096 - rowsAt(byWorker.get("worker-0")!, 500), 9);
    expect(r.cpuSeconds).toBeCloseTo(0.75, 12);
    expect(r.cpuSecondsByRole.worker).toBeCloseTo(0.75, 12);
    expect(r.coresBusy).toBeCloseTo(0.375, 12);
  });

  it("cuts the window to the seconds given (those two runs side by side share)", () => {
    const byWorker = new Map<string, WorkerBeat[]>([["worker-0", [{ t: 0, rows: 0 }, { t: 1000, rows: 1000 }, { t: 2000, rows: 2000 }, { t: 3000, rows: 3000 }, { t: 4000, rows: 3000 }]]]);
    // Twice the CPU per row between 1 s and 2 s as elsewhere.
    const snapshots: CpuSnapshot[] = [{ t: 500, cpu: cpu(0.05) }, { t: 1000, cpu: cpu(0.1) }, { t: 2000, cpu: cpu(0.3) }, { t: 2500, cpu: cpu(0.35) }];
    const whole = loopCpu(snapshots, byWorker);
    const part = loopCpu(snapshots, byWorker, { from: 900, to: 2100 });
    if (!whole.available || !part.available) throw new Error("no window");
    expect([whole.from, whole.to]).toEqual([500, 2500]);
    expect([part.from, part.to]).toEqual([1000, 2000]);
    expect(part.cpuSeconds / part.rows).toBeCloseTo(0.0002, 12);
    expect(whole.cpuSeconds / whole.rows).toBeCloseTo(0.00015, 12);
  });

  it("refuses a run whose worker was restarted (its count went back)", () => {
    const byWorker = new Map([["worker-0", [{ t: 0, rows: 4096 }, { t: 1000, rows: 0 }, { t: 2000, rows: 2048 }]]]);
    const r = loopCpu([{ t: 0, cpu: cpu(1) }, { t: 1000, cpu: cpu(2) }, { t: 2000, cpu: cpu(3) }], byWorker);
    expect(r.available).toBe(false);
  });

  it("says why when the loop was shorter than two snapshots", () => {
    const byWorker = new Map([["worker-0", [{ t: 0, rows: 0 }, { t: 1000, rows: 2048 }]]]);
    const r = loopCpu([{ t: 0, cpu: cpu(1) }, { t: 1000, cpu: cpu(2) }], byWorker);
    expect(r).toEqual({ available: false, reason: "fewer than two CPU snapshots inside the training loop" });
  });
});
