/**
 * The coordinator's diagram, walked path by path (DESIGN idea 4): @xstate/graph
 * enumerates every path through the machine with two shards wanted, two shards that
 * may join at any moment, TASKS_FINISHED and STOP in every state, and each invoked
 * step either succeeding or failing; each path is replayed on a real actor whose steps
 * are settled as the path says.
 */
import { describe, expect, it } from "vitest";
import { coordinatorMachine } from "../../../../actors/index.js";
import type { EvalResult } from "../../../../protocols/index.js";
import {
  completionOf, declaredStates, describePath, fails, Rig, shortestPaths, simplePaths, transitionPaths, stateOf, succeeds, transitionsOf,
  type MachineModel,
} from "../helpers/machine-model.js";

const evaluation: EvalResult = { rows: 1000, auc: 0.81, logloss: 0.42 };

/** Why each step fails in the model, and the words the coordinator's error must use to name the step. */
const failures = {
  prepare: { cause: "bucket create timed out", names: "prepare" },
  publishMap: { cause: "kv put refused", names: "map publish" },
  writeCheckpoint: { cause: "shard s1 did not answer", names: "checkpoint" },
  evaluate: { cause: "eval file missing", names: "evaluation" },
} as const;

const model: MachineModel<typeof coordinatorMachine> = {
  machine: coordinatorMachine,
  input: { shardsWanted: 2 },
  events: [
    { type: "SHARD_JOINED", shardId: "s0" },
    { type: "SHARD_JOINED", shardId: "s1" },
    { type: "TASKS_FINISHED" },
    { type: "STOP" },
  ],
  outcomes: {
    prepare: [succeeds(), fails(failures.prepare.cause)],
    publishMap: [succeeds(), fails(failures.publishMap.cause)],
    writeCheckpoint: [succeeds("/runs/job/final"), fails(failures.writeCheckpoint.cause)],
    evaluate: [succeeds(evaluation), succeeds(undefined), fails(failures.evaluate.cause)],
  },
};

const shortest = shortestPaths(model);
/** Every path that visits no state twice, and every transition (ignored events included) after a shortest path to it. */
const walks = [...simplePaths(model), ...transitionPaths(model)];

/** A rig whose reportDone records the context it reported. */
function rig() {
  const reports: Array<{ error?: string }> = [];
  const machine = coordinatorMachine.provide({ actions: { reportDone: ({ context }) => { reports.push(context); } } });
  return { rig: new Rig(machine, model), reports };
}

describe("coordinator machine, walked path by path", () => {
  it("reaches every state it declares on some path, as a real actor", async () => {
    const visited = new Set<string>();
    for (const path of shortest) {
      const { rig: r } = rig();
      await r.replay(path, () => { visited.add(stateOf(r.actor.getSnapshot())); });
    }
    expect([...visited].sort()).toEqual(declaredStates(coordinatorMachine));
  });

  it("stops from every reachable state, ends final, and aborts the step in flight", async () => {
    let aborted = 0;
    for (const path of shortest.filter((p) => p.state.status === "active")) {
      const { rig: r } = rig();
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

  it("reports the job exactly once, on entering done or failed, and never before", async () => {
    for (const path of walks) {
      const { rig: r, reports } = rig();
      let ended = false;
      await r.replay(path, (step, i) => {
        ended ||= ["done", "failed"].includes(stateOf(step.state));
        expect(reports.length, describePath(path, i)).toBe(ended ? 1 : 0);
      });
    }
  });

  it("reports success without an error from done, and the error from failed", async () => {
    const ending = walks.filter((p) => ["done", "failed"].includes(stateOf(p.state)));
    expect(new Set(ending.map((p) => stateOf(p.state)))).toEqual(new Set(["done", "failed"]));
    for (const path of ending) {
      const { rig: r, reports } = rig();
      await r.replay(path);
      const failed = stateOf(path.state) === "failed";
      expect(reports[0]?.error !== undefined, describePath(path)).toBe(failed);
    }
  });

  it("ends in failed, with an error naming the step and its cause, whenever a step fails", async () => {
    const failing = walks.filter((p) => {
      const last = p.steps.at(-1)!;
      return "error" in (completionOf(coordinatorMachine, last.event)?.outcome ?? {});
    });
    expect(new Set(failing.map((p) => completionOf(coordinatorMachine, p.steps.at(-1)!.event)!.src))).toEqual(new Set(Object.keys(failures)));
    for (const path of failing) {
      const { src } = completionOf(coordinatorMachine, path.steps.at(-1)!.event)!;
      const { cause, names } = failures[src as keyof typeof failures];
      const { rig: r } = rig();
      await r.replay(path);
      const s = r.actor.getSnapshot();
      expect(stateOf(s), describePath(path)).toBe("failed");
      expect(s.context.error, describePath(path)).toBe(`${names} failed: ${cause}`);
    }
  });

  it("publishes the map only once every wanted shard has joined, and names all of them", async () => {
    let publishes = 0;
    for (const path of walks) {
      const { rig: r } = rig();
      await r.replay(path);
      for (const run of r.invocations.filter((i) => i.src === "publishMap")) {
        publishes++;
        expect(run.input, describePath(path)).toEqual({ shards: ["s0", "s1"] });
      }
    }
    expect(publishes).toBeGreaterThan(0);
  });

  it("leaves done and failed only for stopped", () => {
    const exits = transitionsOf(model).filter(({ state, next }) =>
      ["done", "failed"].includes(stateOf(state)) && stateOf(next) !== stateOf(state));
    expect(exits.length).toBeGreaterThan(0);
    for (const { event, next } of exits) expect({ event: event.type, next: stateOf(next) }).toEqual({ event: "STOP", next: "stopped" });
  });
});
