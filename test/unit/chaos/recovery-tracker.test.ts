import { describe, expect, it } from "vitest";
import { chooseTarget, producerActorOf, RecoveryTracker, seededRandom, type InjectedFault } from "../../../chaos/index.js";

const fault = (index: number, kind: InjectedFault["kind"], actor: string, actorKind: string, atMs: number, pid = 100): InjectedFault =>
  ({ index, kind, actor, actorKind, pid, atMs, endedAtMs: atMs });

describe("recovery tracking", () => {
  it("a killed worker recovers at its replacement's first own append, not at another worker's", () => {
    const t = new RecoveryTracker();
    const f = fault(0, "kill", "worker-0", "worker", 1000);
    t.fault(f);
    t.append("worker-1", 1100);
    t.started("worker-0", 200, 1300);
    t.append("worker-1", 1400);
    expect(t.recoveries()).toEqual([{ index: 0, backMs: 300 }]);
    t.append("worker-0", 1600);
    expect(t.recoveries()).toEqual([{ index: 0, backMs: 300, recoveryMs: 600 }]);
  });

  it("a shard needs both an append and a finished task after it is back", () => {
    const t = new RecoveryTracker();
    t.progress(500, 900);
    const f = fault(1, "kill", "shard-0", "shard", 1000);
    t.fault(f);
    t.started("shard-0", 100, 1200); // same pid: not a replacement
    expect(t.recoveries()[0]!.backMs).toBeUndefined();
    t.started("shard-0", 300, 1500);
    t.append(undefined, 1700);
    t.progress(500, 1800);
    expect(t.recoveries()[0]!.recoveryMs).toBeUndefined();
    t.progress(900, 2800);
    expect(t.recoveries()[0]).toEqual({ index: 1, backMs: 500, recoveryMs: 1800 });
  });

  it("a coordinator recovers when the trained-row count moves after its restart", () => {
    const t = new RecoveryTracker();
    t.progress(100, 0);
    t.fault(fault(2, "kill", "coordinator", "coordinator", 1000));
    t.append("worker-0", 1100);
    t.started("coordinator", 9, 1400);
    t.progress(100, 1500);
    t.progress(300, 2500);
    expect(t.recoveries()[0]).toEqual({ index: 2, backMs: 400, recoveryMs: 1500 });
  });

  it("a stopped process is back at SIGCONT; a NATS restart when the server is up", () => {
    const t = new RecoveryTracker();
    const stop = fault(3, "stop", "worker-1", "worker", 1000);
    const nats: InjectedFault = { index: 4, kind: "nats-restart", actor: "nats-server", actorKind: "nats", atMs: 5000, endedAtMs: 5000 };
    t.fault(stop);
    t.fault(nats);
    stop.endedAtMs = 4000;
    t.ended(stop);
    t.append("worker-1", 4100);
    nats.endedAtMs = 6000;
    t.ended(nats);
    t.append("worker-0", 6100);
    t.progress(10, 7000);
    expect(t.recoveries()).toEqual([{ index: 3, backMs: 3000, recoveryMs: 3100 }, { index: 4, backMs: 1000, recoveryMs: 2000 }]);
  });

  it("ignores skipped faults and failed injections", () => {
    const t = new RecoveryTracker();
    t.fault({ index: 0, kind: "partition", atMs: 0, endedAtMs: 0, skipped: "no namespaces" });
    t.fault({ ...fault(1, "kill", "worker-0", "worker", 0), error: "ESRCH" });
    expect(t.recoveries()).toEqual([]);
  });

  it("reads the worker from an async entry's message id, and none from a sync one", () => {
    expect(producerActorOf("worker-12.4711.mh3k2:17:3")).toBe("worker-12");
    expect(producerActorOf("job1-abc:s4:m2:7.0")).toBeUndefined();
    expect(producerActorOf(undefined)).toBeUndefined();
  });

  it("picks targets by id or at random among the live actors of a kind", () => {
    const actors = [{ id: "shard-0", kind: "shard", pid: 1 }, { id: "shard-1", kind: "shard", pid: 2 }, { id: "worker-0", kind: "worker", pid: 3 }];
    expect(chooseTarget("worker-0", actors, Math.random)!.pid).toBe(3);
    expect(chooseTarget("coordinator", actors, Math.random)).toBeUndefined();
    const r = seededRandom(5);
    const picks = new Set(Array.from({ length: 50 }, () => chooseTarget("shard", actors, r)!.id));
    expect(picks).toEqual(new Set(["shard-0", "shard-1"]));
  });
});
