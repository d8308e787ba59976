/**
 * The event stream: listeners and an async iterator see the same typed events, the
 * root sees its nested supervisors' events, and the iterator ends with the supervisor.
 */
import { describe, expect, it } from "vitest";
import { type SupervisorEvent } from "../../../../supervisor/tree/index.js";
import { FakeSystem, spec } from "./helpers/fake-children.js";

describe("Supervisor.events", () => {
  it("yields every event of the tree in order and ends after supervisor.stopped", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), { kind: "supervisor", id: "workers", spec: spec({ id: "workers", children: [sys.worker("w0")] }) }] }));
    const seen: SupervisorEvent["type"][] = [];
    const reading = (async () => {
      for await (const e of sup.events()) seen.push(e.type);
    })();
    await sup.start();
    await sup.stop();
    await reading;
    expect(seen).toEqual([
      "child.started", "child.started", "child.started", // a, w0 (in workers), workers
      "child.exited", "supervisor.stopped", "child.exited", // w0, workers' own stop, workers
      "child.exited", "supervisor.stopped", // a, root
    ]);
  });

  it("stops delivering to a listener once it unsubscribes, and survives a listener that throws", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), sys.worker("b")] }));
    const seen: string[] = [];
    sup.on(() => { throw new Error("listener bug"); });
    const off = sup.on((e) => seen.push(e.type === "child.started" ? e.child : e.type));
    await sup.start();
    off();
    await sup.stop();
    expect(seen).toEqual(["a", "b"]);
    expect(sup.state).toBe("stopped");
  });

  it("ends an iterator at once when the consumer breaks out", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ children: [sys.worker("a"), sys.worker("b")] }));
    const iterator = sup.events();
    await sup.start();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: "child.started", child: "a" });
    await iterator.return?.();
    expect((await iterator.next()).done).toBe(true);
    await sup.stop();
  });
});
