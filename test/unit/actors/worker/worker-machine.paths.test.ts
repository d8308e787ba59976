/**
 * The worker's diagram, walked path by path (DESIGN idea 4): @xstate/graph enumerates
 * every path through the machine with each invoked step succeeding or failing (up to
 * two failures in a row), every kind of lease reply (a task, a task together with
 * "finished", "finished" alone, "none free yet"), timers firing and STOP offered in
 * every state; each path is replayed on a real actor whose steps are settled as the
 * path says, on a simulated clock.
 */
import { describe, expect, it } from "vitest";
import { workerMachine, type TrainedTask } from "../../../../actors/index.js";
import type { TaskLeased, TaskSpec } from "../../../../protocols/index.js";
import {
  completionOf, declaredStates, describePath, fails, Rig, shortestPaths, simplePaths, transitionPaths, stateOf, succeeds, transitionsOf,
  type Invocation, type MachineModel,
} from "../helpers/machine-model.js";

const task: TaskSpec = { id: 4, leaseId: "0.4.0", epoch: 0, path: "/data/train.tsv", byteStart: 0, byteEnd: 4096, rowStart: 400, rows: 100 };
const trained: TrainedTask = { rows: 100, lossSum: 61.5 };
const leased = (reply: Omit<TaskLeased, "v" | "type">): TaskLeased => ({ v: 1, type: "task.leased", ...reply });

const model: MachineModel<typeof workerMachine> = {
  machine: workerMachine,
  events: [{ type: "STOP" }],
  outcomes: {
    join: [succeeds(), fails("coordinator unreachable")],
    lease: [
      succeeds(leased({ task, finished: false, retryMs: 0 })),
      succeeds(leased({ task, finished: true, retryMs: 0 })),
      succeeds(leased({ finished: true, retryMs: 0 })),
      succeeds(leased({ finished: false, retryMs: 50 })),
      fails("lease request timed out"),
    ],
    train: [succeeds(trained), fails("shard unreachable")],
    report: [succeeds(), fails("report refused")],
  },
  stopWhen: (s) => s.context.failures >= 2,
};

const shortest = shortestPaths(model);
/** Every path that visits no state twice, and every transition (ignored events included) after a shortest path to it. */
const walks = [...simplePaths(model), ...transitionPaths(model)];

/** The lease reply a step delivered, if the step was a lease completing. */
function leaseReplyOf(event: { type: string }): TaskLeased | undefined {
  const completion = completionOf(workerMachine, event);
  if (completion?.src !== "lease" || !("output" in completion.outcome)) return undefined;
  return completion.outcome.output as TaskLeased;
}

describe("worker machine, walked path by path", () => {
  it("reaches every state it declares on some path, as a real actor", async () => {
    const visited = new Set<string>();
    for (const path of shortest) {
      const r = new Rig(workerMachine, model);
      await r.replay(path, () => { visited.add(stateOf(r.actor.getSnapshot())); });
    }
    expect([...visited].sort()).toEqual(declaredStates(workerMachine));
  });

  it("stops from every reachable state, ends final, and aborts the step in flight", async () => {
    let aborted = 0;
    for (const path of shortest.filter((p) => p.state.status === "active")) {
      const r = new Rig(workerMachine, model);
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

  it("reports a task only right after training it successfully, with what the training produced", async () => {
    let reports = 0;
    for (const path of walks) {
      const r = new Rig(workerMachine, model);
      await r.replay(path);
      const steps = r.invocations.filter((i) => i.src === "train" || i.src === "report");
      steps.forEach((run, k) => {
        if (run.src !== "report") return;
        reports++;
        const training: Invocation | undefined = steps[k - 1];
        expect(training?.src, describePath(path)).toBe("train");
        expect(training?.outcome, describePath(path)).toEqual({ output: trained });
        expect(run.input, describePath(path)).toEqual({ task: training?.input, trained });
      });
    }
    expect(reports).toBeGreaterThan(0);
  });

  it("trains the task a lease reply gives it, and never goes idle on such a reply", async () => {
    let replies = 0;
    for (const path of walks) {
      const r = new Rig(workerMachine, model);
      await r.replay(path, (step, i) => {
        const reply = leaseReplyOf(step.event);
        if (reply?.task === undefined) return;
        replies++;
        const s = r.actor.getSnapshot();
        expect({ state: stateOf(s), task: s.context.task }, describePath(path, i)).toEqual({ state: "training", task: reply.task });
      });
    }
    expect(replies).toBeGreaterThan(0);
  });

  it("goes idle only when a lease reply says every task is finished and gives no task", async () => {
    let idles = 0;
    for (const path of walks) {
      const r = new Rig(workerMachine, model);
      await r.replay(path, (step, i) => {
        if (stateOf(step.state) !== "idle" || stateOf(path.steps[i - 1]!.state) === "idle") return;
        idles++;
        expect(leaseReplyOf(step.event), describePath(path, i)).toEqual(leased({ finished: true, retryMs: 0 }));
        expect(r.actor.getSnapshot().context.task, describePath(path, i)).toBeUndefined();
      });
    }
    expect(idles).toBeGreaterThan(0);
  });

  it("leaves idle only for stopped", () => {
    const exits = transitionsOf(model).filter(({ state, next }) => stateOf(state) === "idle" && stateOf(next) !== "idle");
    expect(exits.length).toBeGreaterThan(0);
    for (const { event, next } of exits) expect({ event: event.type, next: stateOf(next) }).toEqual({ event: "STOP", next: "stopped" });
  });
});
