/**
 * one_for_one: a failed child is restarted alone; its siblings never notice.
 */
import { describe, expect, it } from "vitest";
import { Strategy } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, settle, spec } from "./helpers/fake-children.js";

describe("one_for_one", () => {
  it("restarts only the failed child, after its backoff, and leaves its siblings' processes alone", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForOne, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    const [a, c] = [sys.child("a"), sys.child("c")];
    const from = sys.mark();
    sys.child("b").exit(1);
    await settle();
    expect(sys.since(from)).toEqual(["exit:b"]);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:b", "start:b"]);
    expect([a.alive, c.alive, a.signals, c.signals]).toEqual([true, true, [], []]);
    expect(sys.child("a")).toBe(a);
  });

  it("restarts two failed children independently, each after its own delay", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    sys.child("a").exit(1);
    await sys.advance(5);
    sys.child("b").exit(1);
    await settle();
    const from = sys.mark();
    await sys.advance(5);
    expect(sys.since(from)).toEqual(["start:a"]);
    await sys.advance(5);
    expect(sys.since(from)).toEqual(["start:a", "start:b"]);
  });

  it("reports the exit, the scheduled restart with its cause, and the new incarnation", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await sup.start();
    const events = recordEvents(sup);
    sys.child("a").die("SIGSEGV");
    await sys.advance(10);
    expect(events).toEqual([
      { type: "child.exited", supervisor: "root", child: "a", exit: { code: null, signal: "SIGSEGV" }, expected: false },
      { type: "child.restarted", supervisor: "root", child: "a", attempt: 1, delayMs: 10, cause: "was killed by SIGSEGV" },
      { type: "child.started", supervisor: "root", child: "a", pid: sys.child("a").pid, attempt: 1 },
    ]);
    expect(sup.children()).toEqual([{ id: "a", kind: "worker", pid: sys.child("a").pid, status: "running", restarts: 1 }]);
    expect(eventsOf(events, "child.gave_up")).toEqual([]);
  });

  it("is restarting while a restart is pending and running again once it is done", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await sup.start();
    expect(sup.state).toBe("running");
    sys.child("a").exit(3);
    await settle();
    expect([sup.state, sup.children()[0]?.status, sup.children()[0]?.pid]).toEqual(["restarting", "restarting", null]);
    await sys.advance(10);
    expect([sup.state, sup.children()[0]?.status]).toEqual(["running", "running"]);
  });
});
