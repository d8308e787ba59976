/**
 * one_for_all: when one child fails, every other child is stopped (last started first)
 * and all of them start again, in start order.
 */
import { describe, expect, it } from "vitest";
import { RestartType, Strategy } from "../../../../supervisor/tree/index.js";
import { FakeSystem, eventsOf, recordEvents, settle, spec } from "./helpers/fake-children.js";

describe("one_for_all", () => {
  it("stops every other child in reverse start order, then restarts all of them in start order", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForAll, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    const from = sys.mark();
    sys.child("b").exit(1);
    await settle();
    expect(sys.since(from)).toEqual(["exit:b", "term:c", "exit:c", "term:a", "exit:a"]);
    await sys.advance(10);
    expect(sys.since(from).slice(5)).toEqual(["start:a", "start:b", "start:c"]);
    expect(sup.children().map((c) => [c.id, c.status, c.restarts])).toEqual([["a", "running", 1], ["b", "running", 1], ["c", "running", 1]]);
  });

  it("reports the siblings' exits as expected and names the failed child in their restart cause", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForAll, children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    const events = recordEvents(sup);
    sys.child("a").exit(2);
    await sys.advance(10);
    expect(eventsOf(events, "child.exited").map((e) => [e.child, e.expected])).toEqual([["a", false], ["b", true]]);
    expect(eventsOf(events, "child.restarted").map((e) => [e.child, e.cause])).toEqual([
      ["a", "exited with code 2"],
      ["b", 'restarted with "a" (one_for_all), which exited with code 2'],
    ]);
  });

  it("stops a temporary sibling for the restart and does not start it again", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({
      strategy: Strategy.OneForAll,
      children: [sys.worker("a"), sys.worker("t", { restart: RestartType.Temporary }), sys.worker("c")],
    }));
    await sup.start();
    const events = recordEvents(sup);
    const from = sys.mark();
    sys.child("a").exit(1);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:a", "term:c", "exit:c", "term:t", "exit:t", "start:a", "start:c"]);
    expect(sup.children().map((c) => c.id)).toEqual(["a", "c"]);
    expect(eventsOf(events, "child.gave_up").map((e) => e.child)).toEqual(["t"]);
  });

  it("restarts a transient sibling with the group even though it was stopped normally", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({
      strategy: Strategy.OneForAll,
      children: [sys.worker("a"), sys.worker("tr", { restart: RestartType.Transient })],
    }));
    await sup.start();
    const from = sys.mark();
    sys.child("a").exit(1);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:a", "term:tr", "exit:tr", "start:a", "start:tr"]);
  });

  it("restarts the whole group again when a child fails to start during the group restart", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.OneForAll, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    sys.failingStarts.add("b");
    const from = sys.mark();
    sys.child("c").exit(1);
    await sys.advance(10);
    sys.failingStarts.clear();
    await sys.advance(10);
    expect(sys.since(from)).toEqual([
      "exit:c", "term:b", "exit:b", "term:a", "exit:a",
      "start:a", "start-failed:b", "term:a", "exit:a",
      "start:a", "start:b", "start:c",
    ]);
    expect([sup.state, sup.children().map((c) => c.restarts)]).toEqual(["running", [2, 2, 1]]);
  });
});
