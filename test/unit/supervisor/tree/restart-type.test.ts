/**
 * Restart types: permanent children always come back, transient ones only after an
 * abnormal exit (non-zero code or a signal), temporary ones never — and a child that
 * is not restarted leaves its supervisor without counting against its intensity.
 */
import { describe, expect, it } from "vitest";
import { isAbnormalExit, RestartType, restartsAfter, Strategy } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, spec } from "./helpers/fake-children.js";

describe("restart types", () => {
  it.each([
    [{ code: 0, signal: null }, false],
    [{ code: 1, signal: null }, true],
    [{ code: null, signal: "SIGKILL" as const }, true],
    [{ code: null, signal: "SIGTERM" as const }, true],
  ])("calls %j abnormal: %s", (exit, abnormal) => {
    expect(isAbnormalExit(exit)).toBe(abnormal);
  });

  it.each([
    [RestartType.Permanent, 0, true], [RestartType.Permanent, 1, true],
    [RestartType.Transient, 0, false], [RestartType.Transient, 1, true],
    [RestartType.Temporary, 0, false], [RestartType.Temporary, 1, false],
  ])("restarts a %s child after exit code %i: %s", (type, code, restarts) => {
    expect(restartsAfter(type, { code, signal: null })).toBe(restarts);
  });

  it("restarts a permanent child even after a normal exit", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("p", { restart: RestartType.Permanent })] }));
    await sup.start();
    const from = sys.mark();
    sys.child("p").exit(0);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:p", "start:p"]);
  });

  it("restarts a transient child killed by a signal", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("t", { restart: RestartType.Transient })] }));
    await sup.start();
    const from = sys.mark();
    sys.child("t").die("SIGKILL");
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:t", "start:t"]);
  });

  it("lets a transient child that exits normally go: not restarted, removed, reported as given up", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), sys.worker("t", { restart: RestartType.Transient })] }));
    await sup.start();
    const events = recordEvents(sup);
    const from = sys.mark();
    sys.child("t").exit(0);
    await sys.advance(1000);
    expect(sys.since(from)).toEqual(["exit:t"]);
    expect(sup.children().map((c) => c.id)).toEqual(["a"]);
    expect(eventsOf(events, "child.gave_up")).toEqual([
      { type: "child.gave_up", supervisor: "root", child: "t", reason: "transient child exited with code 0; not restarted" },
    ]);
    expect(sup.state).toBe("running");
  });

  it("never restarts a temporary child, even after a crash, and doesn't touch its siblings under one_for_all", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({
      strategy: Strategy.OneForAll,
      children: [sys.worker("a"), sys.worker("tmp", { restart: RestartType.Temporary })],
    }));
    await sup.start();
    const from = sys.mark();
    sys.child("tmp").exit(1);
    await sys.advance(1000);
    expect(sys.since(from)).toEqual(["exit:tmp"]);
    expect(sup.children().map((c) => c.id)).toEqual(["a"]);
  });

  it("does not count exits that are not restarted against the intensity", async () => {
    const sys = new FakeSystem();
    const children = ["t1", "t2", "t3"].map((id) => sys.worker(id, { restart: RestartType.Temporary }));
    const sup = sys.supervisor(spec({ intensity: 0, children }));
    await sup.start();
    for (const id of ["t1", "t2", "t3"]) sys.child(id).exit(1);
    await sys.advance(10);
    expect(sup.state).toBe("running");
    expect(sup.escalation).toBeUndefined();
  });
});
