/**
 * Restart intensity: more than `intensity` restarts within `periodMs` and a supervisor
 * gives up — stops its children and escalates. A nested supervisor's escalation is an
 * abnormal exit of that child for its parent, handled by the parent's strategy; the
 * root's escalation ends everything with an EscalationError.
 */
import { describe, expect, it } from "vitest";
import { EscalationError, recordRestart, Strategy, type SupervisorSpec } from "../../../../supervisor/tree/index.js";
import { TerminalError } from "../../../../protocols/index.js";
import { FakeSystem, eventsOf, recordEvents, settle, spec } from "./helpers/fake-children.js";

/** Crashes `id` and waits out its restart delay (backoff capped at 1 s in these specs). */
async function crash(sys: FakeSystem, id: string, waitMs = 0): Promise<void> {
  sys.child(id).exit(1);
  await sys.advance(waitMs);
}

describe("recordRestart", () => {
  it("keeps the restarts inside the window and says when they are more than the intensity", () => {
    const limit = { intensity: 2, periodMs: 100 };
    expect(recordRestart([], 0, limit)).toEqual({ times: [0], exceeded: false });
    expect(recordRestart([0, 50], 99, limit)).toEqual({ times: [0, 50, 99], exceeded: true });
    expect(recordRestart([0, 50], 100, limit)).toEqual({ times: [50, 100], exceeded: false });
  });

  it("escalates on the first restart when the intensity is 0", () => {
    expect(recordRestart([], 5, { intensity: 0, periodMs: 100 }).exceeded).toBe(true);
  });
});

describe("intensity escalation at the root", () => {
  it("allows `intensity` restarts within the period and gives up at the next one", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 2, periodMs: 1000, children: [sys.worker("a")] }));
    await sup.start();
    await crash(sys, "a", 10);
    await crash(sys, "a", 20);
    expect(sup.state).toBe("running");
    await crash(sys, "a");
    expect(sup.state).toBe("escalated");
    expect(sys.timeline.filter((e) => e === "start:a")).toHaveLength(3);
  });

  it("does not give up when the same number of failures is spread over more than the period", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 2, periodMs: 1000, children: [sys.worker("a")] }));
    await sup.start();
    for (let i = 0; i < 6; i++) await crash(sys, "a", 600);
    expect(sup.state).toBe("running");
  });

  it("stops every child in reverse start order and reports an EscalationError saying what crashed and what to do", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 1, periodMs: 5000, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    const events = recordEvents(sup);
    await crash(sys, "b", 10);
    const from = sys.mark();
    await crash(sys, "b");
    expect(sys.since(from)).toEqual(["exit:b", "term:c", "exit:c", "term:a", "exit:a"]);
    const err = await sup.failed;
    expect(err).toBeInstanceOf(EscalationError);
    expect(err).toBeInstanceOf(TerminalError);
    expect(err).toMatchObject({ supervisor: "root", child: "b", restarts: 2, intensity: 1, periodMs: 5000, origin: { child: "b", exit: { code: 1, signal: null } } });
    expect(err.message).toMatch(/supervisor "root" gave up.*2 restarts needed within 5000 ms.*intensity \(1\).*child "b" exited with code 1/);
    expect(err.message).toMatch(/Raise supervision\.intensity.*or fix why "b" fails/);
    expect(eventsOf(events, "supervisor.escalated")).toEqual([
      { type: "supervisor.escalated", supervisor: "root", child: "b", restarts: 2, periodMs: 5000, error: err },
    ]);
    expect(sup.children().every((c) => c.status === "stopped" && c.pid === null)).toBe(true);
  });

  it("escalates at the first failure with intensity 0 and restarts nothing", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 0, children: [sys.worker("a")] }));
    await sup.start();
    await crash(sys, "a", 1000);
    expect(sup.state).toBe("escalated");
    expect(sys.timeline.filter((e) => e === "start:a")).toHaveLength(1);
  });

  it("counts restarts of all children together, as OTP does", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 2, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    await crash(sys, "a");
    await crash(sys, "b");
    expect(sup.state).toBe("restarting");
    await crash(sys, "c");
    expect((await sup.failed).child).toBe("c");
  });

  it("cancels pending restarts when it gives up", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 1, children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    await crash(sys, "a");
    await crash(sys, "b");
    const from = sys.mark();
    await sys.advance(5000);
    expect(sys.since(from)).toEqual([]);
    expect(sup.state).toBe("escalated");
  });
});

describe("intensity escalation of a nested supervisor", () => {
  const nested = (sys: FakeSystem, fields: Partial<SupervisorSpec> = {}): SupervisorSpec =>
    spec({ id: "workers", intensity: 1, children: ["w0", "w1"].map((id) => sys.worker(id)), ...fields });

  it("is an abnormal exit of that child for its parent, which restarts the nested supervisor and its children", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 5, children: [sys.worker("coord"), { kind: "supervisor", id: "workers", spec: nested(sys) }] }));
    await sup.start();
    const events = recordEvents(sup);
    await crash(sys, "w0", 10);
    const from = sys.mark();
    await crash(sys, "w0");
    expect(sys.since(from)).toEqual(["exit:w0", "term:w1", "exit:w1"]);
    await sys.advance(10);
    expect(sys.since(from).slice(3)).toEqual(["start:w0", "start:w1"]);
    expect(eventsOf(events, "supervisor.escalated").map((e) => e.supervisor)).toEqual(["workers"]);
    expect(eventsOf(events, "child.restarted").at(-1)).toMatchObject({ supervisor: "root", child: "workers", attempt: 1, cause: "escalated" });
    expect([sup.state, sys.child("coord").signals]).toEqual(["running", []]);
    expect(sup.children()[1]).toMatchObject({ id: "workers", kind: "supervisor", status: "running", restarts: 1 });
  });

  it("applies the parent's strategy to the nested supervisor's escalation (rest_for_one restarts what follows it)", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({
      strategy: Strategy.RestForOne,
      intensity: 5,
      children: [sys.worker("coord"), { kind: "supervisor", id: "workers", spec: nested(sys, { intensity: 0 }) }, sys.worker("after")],
    }));
    await sup.start();
    const from = sys.mark();
    await crash(sys, "w1", 10);
    expect(sys.since(from)).toEqual(["exit:w1", "term:w0", "exit:w0", "term:after", "exit:after", "start:w0", "start:w1", "start:after"]);
  });

  it("ends everything at the root when the nested one keeps escalating, naming the innermost crash", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 1, children: [sys.worker("coord"), { kind: "supervisor", id: "workers", spec: nested(sys, { intensity: 0 }) }] }));
    await sup.start();
    await crash(sys, "w1", 10);
    await crash(sys, "w1");
    const err = await sup.failed;
    expect(err).toMatchObject({ supervisor: "root", child: "workers", origin: { supervisor: "workers", child: "w1", description: "exited with code 1" } });
    expect(err.cause).toBeInstanceOf(EscalationError);
    expect(err.message).toContain('child "workers" escalated (at the bottom: "w1" of supervisor "workers" exited with code 1)');
    await settle();
    expect(sys.timeline.slice(-2)).toEqual(["term:coord", "exit:coord"]);
    expect(sup.state).toBe("escalated");
  });
});
