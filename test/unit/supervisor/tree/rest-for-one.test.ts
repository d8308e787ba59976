/**
 * rest_for_one: when a child fails, the children started after it are stopped (last
 * first) and it and they start again, in start order; the ones before it keep running.
 */
import { describe, expect, it } from "vitest";
import { Strategy } from "../../../../supervisor/tree/index.js";
import { FakeSystem, settle, spec } from "./helpers/fake-children.js";

describe("rest_for_one", () => {
  it("restarts the failed child and every child started after it, in start order; earlier ones keep running", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.RestForOne, children: ["a", "b", "c", "d"].map((id) => sys.worker(id)) }));
    await sup.start();
    const a = sys.child("a");
    const from = sys.mark();
    sys.child("b").exit(1);
    await settle();
    expect(sys.since(from)).toEqual(["exit:b", "term:d", "exit:d", "term:c", "exit:c"]);
    await sys.advance(10);
    expect(sys.since(from).slice(5)).toEqual(["start:b", "start:c", "start:d"]);
    expect([sys.child("a"), a.signals]).toEqual([a, []]);
    expect(sup.children().map((c) => c.restarts)).toEqual([0, 1, 1, 1]);
  });

  it("restarts only the last child when the last child fails", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.RestForOne, children: ["a", "b"].map((id) => sys.worker(id)) }));
    await sup.start();
    const from = sys.mark();
    sys.child("b").exit(1);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:b", "start:b"]);
  });

  it("widens a pending restart when an earlier child fails during the backoff", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.RestForOne, children: ["a", "b", "c"].map((id) => sys.worker(id)) }));
    await sup.start();
    sys.child("c").exit(1);
    await sys.advance(5);
    const from = sys.mark();
    sys.child("a").exit(1);
    await settle();
    expect(sys.since(from)).toEqual(["exit:a", "term:b", "exit:b"]);
    await sys.advance(10);
    expect(sys.since(from).slice(3)).toEqual(["start:a", "start:b", "start:c"]);
  });

  it("restarts a child started dynamically after the failed one with it", async () => {
    const sys = new FakeSystem();
    const sup = sys.supervisor(spec({ strategy: Strategy.RestForOne, children: [sys.worker("a")] }));
    await sup.start();
    await sup.startChild(sys.worker("dyn"));
    const from = sys.mark();
    sys.child("a").exit(1);
    await sys.advance(10);
    expect(sys.since(from)).toEqual(["exit:a", "term:dyn", "exit:dyn", "start:a", "start:dyn"]);
  });
});
