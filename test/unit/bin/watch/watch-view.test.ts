import { describe, expect, it } from "vitest";
import { StatusHistory } from "../../../../bin/watch/status-history.js";
import { renderWatchFrame } from "../../../../bin/watch/watch-view.js";
import type { MemberStatus, StatusReply } from "../../../../protocols/index.js";

function shard(id: string, pid: number, pulled: number, applied: number): MemberStatus {
  return { id, kind: "shard", state: "serving", pid, host: "h", silentMs: 100, restarts: 0, counters: { "rows.pulled": pulled, "rows.applied": applied, "rows.held": 42 } };
}

function status(members: MemberStatus[], rowsDone: number, samplesPerSec: number, events: string[] = []): StatusReply {
  return {
    v: 1, type: "ctl.status.reply", cluster: "w", natsUrl: "nats://127.0.0.1:1", runDir: "/tmp/r", supervisorPid: 9, uptimeMs: 5000,
    desiredWorkers: 1, mapEpoch: 1, restarts: 1, events, partitions: { "shard-0": 128, "shard-1": 128 },
    members: [{ id: "worker-0", kind: "worker", state: "training", pid: 3, host: "h", silentMs: 200, restarts: 1, counters: {} }, ...members],
    progress: { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone, rowsTotal: 1000, samplesPerSec, loss: 0.5, workers: 1 },
  };
}

describe("StatusHistory", () => {
  it("turns two snapshots of a shard's counters into a rows-per-second load", () => {
    const h = new StatusHistory();
    h.add(status([shard("shard-0", 10, 100, 50)], 0, 0), 1000);
    expect(Number.isNaN(h.shards[0]!.rowsPerSec)).toBe(true);
    h.add(status([shard("shard-0", 10, 300, 250)], 10, 5), 3000);
    expect(h.shards[0]!.rowsPerSec).toBe(200); // (300 + 250 − 150) / 2 s
    expect(h.shards[0]!.partitions).toBe(128);
  });

  it("keeps a shard's last rate when a poll sees no new heartbeat, instead of reading 0", () => {
    const h = new StatusHistory();
    h.add(status([shard("shard-0", 10, 100, 0)], 0, 0), 1000);
    h.add(status([shard("shard-0", 10, 500, 0)], 0, 0), 3000);
    const same = { ...shard("shard-0", 10, 500, 0), silentMs: 600 }; // the heartbeat of the poll before, 500 ms later
    h.add(status([same], 0, 0), 3500);
    expect(h.shards[0]!.rowsPerSec).toBe(200);
  });

  it("reports no rate across a shard restart (a new pid starts its counters over)", () => {
    const h = new StatusHistory();
    h.add(status([shard("shard-0", 10, 5000, 0)], 0, 0), 1000);
    h.add(status([shard("shard-0", 11, 20, 0)], 0, 0), 2000);
    expect(Number.isNaN(h.shards[0]!.rowsPerSec)).toBe(true);
  });

  it("keeps at most its capacity of throughput and loss points", () => {
    const h = new StatusHistory(3);
    for (let i = 0; i < 5; i++) h.add(status([], i, i * 10), i * 1000);
    expect(h.throughput).toEqual([20, 30, 40]);
  });
});

describe("renderWatchFrame", () => {
  it("shows members with their states, shard load bars, sparklines and recent events, in plain text without colour", () => {
    const h = new StatusHistory();
    h.add(status([shard("shard-0", 10, 0, 0), shard("shard-1", 12, 0, 0)], 100, 1000), 0);
    const s = status([shard("shard-0", 10, 1000, 0), shard("shard-1", 12, 500, 0)], 300, 2000, ["2026-01-01T00:00:00Z worker-0 restarted (attempt 1, after 100 ms): killed"]);
    h.add(s, 1000);
    const frame = renderWatchFrame(s, h, { width: 120, color: false });
    expect(frame).not.toMatch(/\x1b\[/);
    expect(frame).toMatch(/worker-0\s+training/);
    expect(frame).toMatch(/shard-1\s+serving/);
    expect(frame).toMatch(/shard-0\s+█+ +1,000 rows\/s/);
    expect(frame).toMatch(/shard-1\s+█+░+ +500 rows\/s/);
    expect(frame).toMatch(/throughput ▁█ 2,000 samples\/s/);
    expect(frame).toContain("worker-0 restarted (attempt 1");
    expect(frame).toContain("rows 300/1,000");
  });

  it("colours states on a terminal", () => {
    const h = new StatusHistory();
    const s = status([], 0, 0);
    h.add(s, 0);
    expect(renderWatchFrame(s, h, { width: 100, color: true })).toMatch(/\x1b\[32mtraining/);
  });
});

describe("the held-out AUC line of a watch frame", () => {
  it("appears with its sparkline and latest value once the coordinator evaluates, and not before", () => {
    const h = new StatusHistory();
    const plain = status([shard("shard-0", 10, 0, 0)], 10, 5);
    h.add(plain, 1000);
    expect(renderWatchFrame(plain, h, { width: 120, color: false })).not.toMatch(/eval AUC/);
    const evaluated = (auc: number): StatusReply => ({ ...plain, progress: { ...plain.progress!, heldOut: { rows: 2048, auc, logloss: 0.6, at: 1, rowsDone: 5, count: 1 } } });
    h.add(evaluated(0.61), 2000);
    h.add(evaluated(0.66), 3000);
    expect(renderWatchFrame(evaluated(0.66), h, { width: 120, color: false })).toMatch(/^eval AUC +[▁▂▃▄▅▆▇█ ]+ 0\.6600$/m);
  });
});
