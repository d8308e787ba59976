/**
 * Children added and removed while the supervisor runs (how workers are scaled):
 * startChild appends and starts one, terminateChild stops one with its shutdown and
 * never restarts it, whatever the strategy.
 */
import { describe, expect, it } from "vitest";
import { DuplicateChildError, Strategy, SupervisorNotRunningError, ChildStartError } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, settle, spec } from "./helpers/fake-children.js";

describe("Supervisor.startChild", () => {
  it("starts the new child after the others, and stop() takes it down first", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await sup.start();
    await sup.startChild(sys.worker("w9"));
    expect(sup.children().map((c) => [c.id, c.status])).toEqual([["a", "running"], ["w9", "running"]]);
    await sup.stop();
    expect(sys.timeline).toEqual(["start:a", "start:w9", "term:w9", "exit:w9", "term:a", "exit:a"]);
  });

  it("restarts a dynamic child by policy like any other", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [] }));
    await sup.start();
    await sup.startChild(sys.worker("w"));
    sys.child("w").exit(1);
    await sys.advance(10);
    expect(sys.timeline).toEqual(["start:w", "exit:w", "start:w"]);
  });

  it("adds the child to a nested supervisor named by `under`", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [{ kind: "supervisor", id: "workers", spec: spec({ id: "workers", children: [] }) }] }));
    await sup.start();
    await sup.startChild(sys.worker("w0"), "workers");
    expect(sup.children()[0]?.children?.map((c) => c.id)).toEqual(["w0"]);
    expect(sup.findSupervisor("workers")?.children().map((c) => c.id)).toEqual(["w0"]);
  });

  it("rejects a taken id, a supervisor that is not running, and a child whose start fails (not kept)", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await expect(sup.startChild(sys.worker("b"))).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await sup.start();
    await expect(sup.startChild(sys.worker("a"))).rejects.toBeInstanceOf(DuplicateChildError);
    sys.failingStarts.add("c");
    await expect(sup.startChild(sys.worker("c"))).rejects.toBeInstanceOf(ChildStartError);
    await expect(sup.startChild(sys.worker("d"), "nowhere")).rejects.toBeInstanceOf(SupervisorNotRunningError);
    expect(sup.children().map((c) => c.id)).toEqual(["a"]);
  });
});

describe("Supervisor.terminateChild", () => {
  it("stops the child with SIGTERM, removes it and never restarts it", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    const events = recordEvents(sup);
    expect(await sup.terminateChild("b")).toBe(true);
    await sys.advance(10_000);
    expect(sys.timeline.slice(2)).toEqual(["term:b", "exit:b"]);
    expect(sup.children().map((c) => c.id)).toEqual(["a"]);
    expect(eventsOf(events, "child.exited")).toEqual([
      { type: "child.exited", supervisor: "root", child: "b", exit: { code: 0, signal: null }, expected: true },
    ]);
    expect(eventsOf(events, "child.restarted")).toEqual([]);
  });

  it("leaves the siblings alone even under one_for_all", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForAll, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    await sup.terminateChild("b");
    await sys.advance(1000);
    expect(sys.timeline.slice(3)).toEqual(["term:b", "exit:b"]);
  });

  it("gives the child its shutdownMs before SIGKILL", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("s", { ignoresSigterm: true, shutdownMs: 300 })] }));
    await sup.start();
    const done = sup.terminateChild("s");
    await sys.advance(299);
    expect(sys.timeline.slice(1)).toEqual(["term:s"]);
    await sys.advance(1);
    expect(await done).toBe(true);
    expect(sys.timeline.slice(1)).toEqual(["term:s", "kill:s", "exit:s"]);
  });

  it("cancels the child's pending restart", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    sys.child("b").exit(1);
    await settle();
    expect(sup.state).toBe("restarting");
    await sup.terminateChild("b");
    await sys.advance(10_000);
    expect(sys.timeline.slice(2)).toEqual(["exit:b"]);
    expect(sup.state).toBe("running");
  });

  it("stops a child of a nested supervisor named by `under`, and answers false for an unknown id", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [{ kind: "supervisor", id: "workers", spec: spec({ id: "workers", children: [sys.worker("w0"), sys.worker("w1")] }) }] }));
    await sup.start();
    expect(await sup.terminateChild("w1", "workers")).toBe(true);
    expect(await sup.terminateChild("w7", "workers")).toBe(false);
    expect(await sup.terminateChild("w0", "nowhere")).toBe(false);
    expect(sup.children()[0]?.children?.map((c) => c.id)).toEqual(["w0"]);
  });
});
