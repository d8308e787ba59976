/**
 * The shard's diagram, walked path by path (DESIGN idea 4): @xstate/graph enumerates
 * every path through the machine with joins that succeed or fail (up to two failures
 * in a row), catch-ups with the update log that succeed or fail, partition maps of
 * epochs 1 and 2 (and a second, different map claiming epoch 2) and STOP offered in
 * every state; each path is replayed on a real actor whose join and catch-up are
 * settled as the path says, on a simulated clock.
 */
import { describe, expect, it } from "vitest";
import { shardMachine } from "../../../../actors/index.js";
import { roundRobinMap } from "../../../../protocols/index.js";
import {
  declaredStates, describePath, fails, Rig, shortestPaths, simplePaths, transitionPaths, stateOf, succeeds, type MachineModel,
} from "../helpers/machine-model.js";

const first = roundRobinMap(1, 4, ["s0", "s1"], "job");
const second = roundRobinMap(2, 4, ["s1", "s0"], "job");
/** A different map that claims the epoch the shard may already hold. */
const rival = roundRobinMap(2, 4, ["s0"], "job");

const model: MachineModel<typeof shardMachine> = {
  machine: shardMachine,
  events: [
    { type: "MAP", map: first },
    { type: "MAP", map: second },
    { type: "MAP", map: rival },
    { type: "STOP" },
  ],
  outcomes: { join: [succeeds(), fails("coordinator unreachable")], catchUp: [succeeds(), fails("update log unreadable")] },
  stopWhen: (s) => s.context.joinFailures >= 2 || s.context.replayFailures >= 2,
};

const shortest = shortestPaths(model);
/** Every path that visits no state twice, and every transition (ignored events included) after a shortest path to it. */
const walks = [...simplePaths(model), ...transitionPaths(model)];

describe("shard machine, walked path by path", () => {
  it("reaches every state it declares on some path, as a real actor", async () => {
    const visited = new Set<string>();
    for (const path of shortest) {
      const r = new Rig(shardMachine, model);
      await r.replay(path, () => { visited.add(stateOf(r.actor.getSnapshot())); });
    }
    expect([...visited].sort()).toEqual(declaredStates(shardMachine));
  });

  it("stops from every reachable state, ends final, and aborts a join in flight", async () => {
    let aborted = 0;
    for (const path of shortest.filter((p) => p.state.status === "active")) {
      const r = new Rig(shardMachine, model);
      await r.replay(path);
      const running = r.inFlight();
      aborted += running.length;
      await r.apply({ type: "STOP" });
      const s = r.actor.getSnapshot();
      expect({ state: stateOf(s), status: s.status }, describePath(path)).toEqual({ state: "stopped", status: "done" });
      expect(running.every((i) => i.signal.aborted), describePath(path)).toBe(true);
    }
    expect(aborted).toBeGreaterThan(0);
  });

  it("serves only after it has been given a map and has caught up with the update log, and holds a map all the while", async () => {
    let serving = 0;
    for (const path of walks) {
      const r = new Rig(shardMachine, model);
      await r.replay(path, (step, i) => {
        if (stateOf(step.state) !== "serving") return;
        serving++;
        expect(path.steps.slice(1, i + 1).some((s) => s.event.type === "MAP"), describePath(path, i)).toBe(true);
        expect(path.steps.slice(1, i + 1).some((s) => s.event.type.startsWith("xstate.done.actor.") && s.event.type.endsWith(".replaying")), describePath(path, i)).toBe(true);
        expect(r.actor.getSnapshot().context.map, describePath(path, i)).toBeDefined();
      });
    }
    expect(serving).toBeGreaterThan(0);
  });

  it("never replaces the map it holds with one of an older or the same epoch", async () => {
    let stale = 0;
    for (const path of walks) {
      const r = new Rig(shardMachine, model);
      let held = r.actor.getSnapshot().context.map;
      await r.replay(path, (step, i) => {
        const now = r.actor.getSnapshot().context.map;
        if (step.event.type === "MAP" && held && step.event.map.epoch <= held.epoch) {
          stale++;
          expect(now, describePath(path, i)).toBe(held);
        }
        expect(now?.epoch ?? -1, describePath(path, i)).toBeGreaterThanOrEqual(held?.epoch ?? -1);
        held = now;
      });
    }
    expect(stale).toBeGreaterThan(0);
  });

  it("takes a map of a newer epoch in every state, and starts replaying once it has its first", async () => {
    let newer = 0;
    for (const path of walks) {
      const r = new Rig(shardMachine, model);
      let before = r.actor.getSnapshot();
      await r.replay(path, (step, i) => {
        const after = r.actor.getSnapshot();
        if (step.event.type === "MAP" && before.status === "active" && step.event.map.epoch > (before.context.map?.epoch ?? -1)) {
          newer++;
          const was = stateOf(before);
          const next = was === "awaitingMap" ? "replaying" : was;
          expect({ state: stateOf(after), map: after.context.map }, describePath(path, i)).toEqual({ state: next, map: step.event.map });
        }
        before = after;
      });
    }
    expect(newer).toBeGreaterThan(0);
  });

  it("rejoins after a failed join, waiting twice as long after each failure in a row", async () => {
    const r = new Rig(shardMachine, model);
    for (const waitMs of [200, 400, 800]) {
      await r.settle("join", fails("coordinator unreachable"));
      r.clock.increment(waitMs - 1);
      expect(stateOf(r.actor.getSnapshot())).toBe("rejoining");
      r.clock.increment(1);
      expect(stateOf(r.actor.getSnapshot())).toBe("joining");
    }
  });

  it("tries the catch-up again after a failure, waiting twice as long after each failure in a row", async () => {
    const r = new Rig(shardMachine, model);
    r.actor.send({ type: "MAP", map: first });
    await r.settle("join", succeeds());
    for (const waitMs of [200, 400, 800]) {
      await r.settle("catchUp", fails("update log unreadable"));
      r.clock.increment(waitMs - 1);
      expect(stateOf(r.actor.getSnapshot())).toBe("replayPaused");
      r.clock.increment(1);
      expect(stateOf(r.actor.getSnapshot())).toBe("replaying");
    }
  });

  // Found by this walk (and in a real cluster): the map watch delivers each epoch once, so a
  // map that arrives before the join is acknowledged must be kept, not dropped.
  it("keeps a map that arrives while it is joining, and serves it once joined and caught up", async () => {
    const r = new Rig(shardMachine, model);
    r.actor.send({ type: "MAP", map: first });
    expect(stateOf(r.actor.getSnapshot())).toBe("joining");
    await r.settle("join", succeeds());
    expect(stateOf(r.actor.getSnapshot())).toBe("replaying");
    await r.settle("catchUp", succeeds());
    expect(stateOf(r.actor.getSnapshot())).toBe("serving");
    expect(r.actor.getSnapshot().context.map?.epoch).toBe(1);
  });
});
