/**
 * reportUnresponsive: the caller's heartbeat monitor says a child is alive but silent
 * (SIGSTOPped, stalled). The supervisor kills it with SIGKILL — which it can't ignore —
 * and the kill is an abnormal exit, restarted by policy like a crash.
 */
import { describe, expect, it } from "vitest";
import { RestartType } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, spec } from "./helpers/fake-children.js";

describe("Supervisor.reportUnresponsive", () => {
  it("kills the child with SIGKILL and restarts it, the reason in the restart's cause", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a", { ignoresSigterm: true })] }));
    await sup.start();
    const events = recordEvents(sup);
    const old = sys.child("a");
    expect(sup.reportUnresponsive("a", "no heartbeat for 5000 ms")).toBe(true);
    await sys.advance(10);
    expect(old.signals).toEqual(["SIGKILL"]);
    expect(sys.timeline).toEqual(["start:a", "kill:a", "exit:a", "start:a"]);
    expect(eventsOf(events, "child.restarted")[0]?.cause).toBe("was killed by SIGKILL after being reported unresponsive (no heartbeat for 5000 ms)");
  });

  it("restarts a transient child it killed: the kill is an abnormal exit", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("t", { restart: RestartType.Transient })] }));
    await sup.start();
    sup.reportUnresponsive("t", "stalled");
    await sys.advance(10);
    expect(sys.timeline).toEqual(["start:t", "kill:t", "exit:t", "start:t"]);
  });

  it("counts the kill against the intensity", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ intensity: 0, children: [sys.worker("a")] }));
    await sup.start();
    sup.reportUnresponsive("a", "stalled");
    await sys.advance(10);
    expect((await sup.failed).origin.description).toBe("was killed by SIGKILL after being reported unresponsive (stalled)");
  });

  it("finds the child in a nested supervisor", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [{ kind: "supervisor", id: "workers", spec: spec({ id: "workers", children: [sys.worker("w0")] }) }] }));
    await sup.start();
    expect(sup.reportUnresponsive("w0", "stalled")).toBe(true);
    await sys.advance(10);
    expect(sys.timeline).toEqual(["start:w0", "kill:w0", "exit:w0", "start:w0"]);
  });

  it("answers false for an unknown child or one that is not running", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a")] }));
    await sup.start();
    expect(sup.reportUnresponsive("nobody", "stalled")).toBe(false);
    sys.child("a").exit(1);
    await sys.advance(0);
    expect(sup.reportUnresponsive("a", "stalled")).toBe(false);
  });
});
