/**
 * The supervisor's lifecycle diagram, walked path by path (DESIGN idea 4). @xstate/graph
 * enumerates paths through the machine with every lifecycle event offered in every
 * state, and child failures offered at three moments after the previous one — inside
 * the intensity window, late enough that older ones fall out of it, and a whole period
 * later. The shortest path to every (state, context) is replayed on a real actor (the
 * shared Rig), which must agree with the model at every step; the machine has no
 * invocations or delays, so the ~1300 simple paths are checked on the model alone.
 * Beyond reachability, the walk checks the OTP rule the machine owns: a failure
 * escalates exactly when it makes more than `intensity` restarts within `periodMs`,
 * counted independently from the path.
 */
import { getShortestPaths, getSimplePaths, type StatePath, type TraversalOptions } from "@xstate/graph";
import { transition, type SnapshotFrom } from "xstate";
import { describe, expect, it } from "vitest";
import { supervisorMachine, type SupervisorMachineEvent } from "../../../../supervisor/tree/index.js";
import { declaredStates, describePath, Rig, stateOf, type MachineModel } from "../../actors/helpers/machine-model.js";

type Snapshot = SnapshotFrom<typeof supervisorMachine>;
type Path = StatePath<Snapshot, SupervisorMachineEvent>;

const input = { id: "root", intensity: 2, periodMs: 100 };
/** The Rig replays events as sent; the walk below supplies them. */
const model: MachineModel<typeof supervisorMachine> = { machine: supervisorMachine, input, events: [], outcomes: {} };

const LIFECYCLE: SupervisorMachineEvent[] = [
  { type: "START" }, { type: "STARTED" }, { type: "START_FAILED" }, { type: "RESTARTS_SETTLED" },
  { type: "STOP" }, { type: "STOPPED" }, { type: "ESCALATED" },
];

/**
 * Lifecycle events, and a failure 1 ms, 60 ms and a whole period after the last one
 * recorded: inside the window, letting only older ones fall out, and past all of them.
 */
function eventsIn(s: Snapshot): SupervisorMachineEvent[] {
  const last = s.context.restarts.at(-1) ?? 0;
  return [...LIFECYCLE, ...[1, 60, input.periodMs].map((dt): SupervisorMachineEvent => ({ type: "CHILD_FAILED", child: "a", at: last + dt }))];
}

const traversal: TraversalOptions<Snapshot, SupervisorMachineEvent, typeof input> = {
  input,
  events: eventsIn,
  // Times grow without bound; two periods cover every window shape of intensity 2.
  stopWhen: (s) => s.status !== "active" || (s.context.restarts.at(-1) ?? 0) > 2 * input.periodMs,
};

const shortest: Path[] = getShortestPaths(supervisorMachine, traversal);
const simple: Path[] = getSimplePaths(supervisorMachine, traversal);

/** The failure times of a path that the machine accepted (in running or restarting), up to step `until`. */
function acceptedFailures(path: Path, until: number): number[] {
  const times: number[] = [];
  for (let i = 1; i <= until; i++) {
    const event = path.steps[i]!.event;
    const before = stateOf(path.steps[i - 1]!.state);
    if (event.type === "CHILD_FAILED" && (before === "running" || before === "restarting")) times.push(event.at);
  }
  return times;
}

describe("supervisor machine, walked path by path", () => {
  it("reaches every state it declares on some path, as a real actor", async () => {
    const visited = new Set<string>();
    for (const path of shortest) {
      const rig = new Rig(supervisorMachine, model);
      await rig.replay(path, () => { visited.add(stateOf(rig.actor.getSnapshot())); });
    }
    expect([...visited].sort()).toEqual(declaredStates(supervisorMachine));
  });

  it("escalates on a failure exactly when it makes more than `intensity` restarts within `periodMs`", () => {
    let failures = 0;
    let escalations = 0;
    for (const path of simple) {
      path.steps.forEach((step, i) => {
        const before = i === 0 ? undefined : stateOf(path.steps[i - 1]!.state);
        if (step.event.type !== "CHILD_FAILED" || (before !== "running" && before !== "restarting")) return;
        failures++;
        const now = step.event.at;
        const inWindow = acceptedFailures(path, i).filter((t) => now - t < input.periodMs).length;
        const expected = inWindow > input.intensity ? "escalating" : "restarting";
        if (expected === "escalating") escalations++;
        expect(stateOf(step.state), describePath(path, i)).toBe(expected);
      });
    }
    expect([failures > 0, escalations > 0]).toEqual([true, true]);
  });

  it("records which child went over the limit and how many restarts it counted", () => {
    const paths = simple.filter((p) => stateOf(p.state) === "escalating");
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path.state.context.escalation, describePath(path)).toEqual({ child: "a", restarts: input.intensity + 1 });
  });

  it("ends in escalated only through escalating, and in stopped only through stopping", () => {
    for (const path of simple) {
      path.steps.forEach((step, i) => {
        const state = stateOf(step.state);
        if (i === 0 || (state !== "escalated" && state !== "stopped")) return;
        const before = stateOf(path.steps[i - 1]!.state);
        expect([before, state], describePath(path, i)).toContainEqual(state === "escalated" ? "escalating" : "stopping");
      });
    }
  });

  it("goes to stopping on STOP from every live state except escalating, which finishes its escalation", () => {
    const live = new Map<string, Snapshot>();
    for (const path of shortest) if (path.state.status === "active") live.set(stateOf(path.state), path.state);
    const after = [...live].map(([state, snapshot]) => [state, stateOf(transition(supervisorMachine, snapshot, { type: "STOP" })[0])]);
    expect(Object.fromEntries(after)).toEqual({
      idle: "stopping", starting: "stopping", running: "stopping", restarting: "stopping",
      escalating: "escalating", stopping: "stopping",
    });
  });

  it("ignores child failures before it runs and after it began to stop or escalate", () => {
    for (const path of simple) {
      path.steps.forEach((step, i) => {
        if (i === 0 || step.event.type !== "CHILD_FAILED") return;
        const before = path.steps[i - 1]!.state;
        if (["running", "restarting"].includes(stateOf(before))) return;
        expect({ value: step.state.value, context: step.state.context }, describePath(path, i)).toEqual({ value: before.value, context: before.context });
      });
    }
  });
});
