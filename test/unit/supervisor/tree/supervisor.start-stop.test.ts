/**
 * Starting and stopping a supervisor: children start in order (a nested supervisor
 * starts its own first), a child that can't start fails the start, and stop() takes
 * them down in reverse order — SIGTERM, then SIGKILL after the child's shutdownMs —
 * with every exit expected and nothing restarted.
 */
import { describe, expect, it } from "vitest";
import { ChildStartError, Strategy, type SupervisorSpec } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, settle, spec } from "./helpers/fake-children.js";

const nestedSpec = (sys: FakeSystem): SupervisorSpec => spec({ id: "workers", children: ["w0", "w1"].map((id) => sys.worker(id)) });

describe("Supervisor.start", () => {
  it("starts children in order, a nested supervisor's children before the next sibling", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), { kind: "supervisor", id: "workers", spec: nestedSpec(sys) }, sys.worker("z")] }));
    await sup.start();
    expect(sys.timeline).toEqual(["start:a", "start:w0", "start:w1", "start:z"]);
    expect(sup.state).toBe("running");
  });

  it("reports each child's pid and status, nested ones inside their supervisor", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), { kind: "supervisor", id: "workers", spec: nestedSpec(sys) }] }));
    await sup.start();
    expect(sup.children()).toEqual([
      { id: "a", kind: "worker", pid: sys.child("a").pid, status: "running", restarts: 0 },
      {
        id: "workers", kind: "supervisor", pid: null, status: "running", restarts: 0,
        children: [
          { id: "w0", kind: "worker", pid: sys.child("w0").pid, status: "running", restarts: 0 },
          { id: "w1", kind: "worker", pid: sys.child("w1").pid, status: "running", restarts: 0 },
        ],
      },
    ]);
  });

  it("fails with ChildStartError when a child can't start, after stopping the ones started, last first", async () => {
    const sys = new FakeSystem();
    sys.failingStarts.add("c");
    const sup = sys.supervisor(spec({ children: ["a", "b", "c", "d"].map((id) => sys.worker(id)) }));
    const err: unknown = await sup.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildStartError);
    expect(err).toMatchObject({ supervisor: "root", child: "c", message: 'supervisor "root" could not start child "c": cannot start c' });
    expect(sys.timeline).toEqual(["start:a", "start:b", "start-failed:c", "term:b", "exit:b", "term:a", "exit:a"]);
    expect(sup.state).toBe("stopped");
  });

  it("refuses two children with the same id", () => {
    const sys = new FakeSystem();
    expect(() => sys.supervisor(spec({ children: [sys.worker("a"), sys.worker("a")] }))).toThrow(/already has a child "a"/);
  });
});

describe("Supervisor.stop", () => {
  it("stops children in reverse start order, one at a time, and resolves when all have exited", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), { kind: "supervisor", id: "workers", spec: nestedSpec(sys) }, sys.worker("z")] }));
    await sup.start();
    const events = recordEvents(sup);
    const from = sys.mark();
    await sup.stop();
    expect(sys.since(from)).toEqual(["term:z", "exit:z", "term:w1", "exit:w1", "term:w0", "exit:w0", "term:a", "exit:a"]);
    expect(sup.state).toBe("stopped");
    expect(eventsOf(events, "child.exited").every((e) => e.expected)).toBe(true);
    expect(eventsOf(events, "supervisor.stopped").map((e) => e.supervisor)).toEqual(["workers", "root"]);
  });

  it("sends SIGKILL to a child that ignores SIGTERM once its shutdownMs has passed, not before", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), sys.worker("stubborn", { ignoresSigterm: true, shutdownMs: 500 })] }));
    await sup.start();
    let stopped = false;
    const stopping = sup.stop().then(() => { stopped = true; });
    await sys.advance(499);
    expect([sys.timeline.slice(2), stopped]).toEqual([["term:stubborn"], false]);
    await sys.advance(1);
    await stopping;
    expect(sys.timeline.slice(2)).toEqual(["term:stubborn", "kill:stubborn", "exit:stubborn", "term:a", "exit:a"]);
  });

  it("restarts nothing that exits while it stops, and cancels a pending restart", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForOne, children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    sys.child("a").exit(1);
    await settle();
    const events = recordEvents(sup);
    await sup.stop();
    await sys.advance(10_000);
    expect(sys.timeline.filter((e) => e.startsWith("start:"))).toEqual(["start:a", "start:b"]);
    expect(eventsOf(events, "child.restarted")).toEqual([]);
    expect(sup.children().map((c) => c.status)).toEqual(["stopped", "stopped"]);
  });

  it("gives children graceMs to exit by themselves before signalling the rest, restarting none of them", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), { kind: "supervisor", id: "workers", spec: nestedSpec(sys) }] }));
    await sup.start();
    const stopping = sup.stop({ graceMs: 1000 });
    // The caller asked them to finish over another channel: they exit 0 on their own.
    sys.child("w0").exit(0);
    sys.child("a").exit(0);
    await sys.advance(1000);
    await stopping;
    expect(sys.timeline.slice(3)).toEqual(["exit:w0", "exit:a", "term:w1", "exit:w1"]);
  });

  it("resolves at once when it is stopped again, or stopped before it started", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await sup.stop();
    expect(sup.state).toBe("stopped");
    await sup.stop();
    expect(sys.timeline).toEqual([]);
  });
});
