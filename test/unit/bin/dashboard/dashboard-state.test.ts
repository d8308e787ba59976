import { describe, expect, it } from "vitest";
import { DashboardHistory } from "../../../../bin/dashboard/dashboard-state.js";
import type { MemberStatus, StatusReply } from "../../../../protocols/index.js";

const shard = (id: string, pulled: number): MemberStatus => ({ id, kind: "shard", state: "serving", pid: 7, host: "h", silentMs: 1, restarts: 0, counters: { "rows.pulled": pulled } });

function status(members: MemberStatus[], loss: number): StatusReply {
  return {
    v: 1, type: "ctl.status.reply", cluster: "d", natsUrl: "nats://x:1", runDir: "/tmp", supervisorPid: 1, uptimeMs: 1, desiredWorkers: 0,
    mapEpoch: 1, restarts: 0, events: [], partitions: {}, members,
    progress: { v: 1, type: "job.progress", epoch: 0, epochs: 1, rowsDone: 10, rowsTotal: 100, samplesPerSec: 50, loss, workers: 0 },
  };
}

describe("DashboardHistory", () => {
  it("has no state before the first status", () => {
    expect(new DashboardHistory().state()).toBeUndefined();
  });

  it("keeps a curve point per poll and a heatmap column of each shard's load rate", () => {
    const h = new DashboardHistory();
    h.add(status([shard("shard-0", 0)], 0), 1000);
    h.add(status([shard("shard-0", 500), shard("shard-1", 0)], 0.6), 2000);
    const s = h.state()!;
    expect(s.curve.map((c) => c.loss)).toEqual([null, 0.6]); // a zero loss means none reported yet
    expect(s.heatmap.shards).toEqual(["shard-0", "shard-1"]);
    expect(s.heatmap.columns.map((c) => c.load)).toEqual([[null, null], [500, null]]);
  });

  it("keeps only the last `capacity` polls", () => {
    const h = new DashboardHistory(3);
    for (let i = 0; i < 5; i++) h.add(status([], 0.5), i * 1000);
    expect(h.state()!.curve.map((c) => c.t)).toEqual([2000, 3000, 4000]);
    expect(h.state()!.heatmap.columns).toHaveLength(3);
  });
});
