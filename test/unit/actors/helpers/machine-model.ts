/**
 * Model-based testing of the actor machines (DESIGN idea 4). @xstate/graph walks a
 * machine's pure transitions and enumerates paths through it; each path is then
 * replayed on a real actor of the same machine whose invoked promises are gates the
 * test settles, on a simulated clock. So every path is checked twice: the model says
 * where it goes, and the interpreter (invocations, delays, actions) must agree.
 *
 * A path's events are the machine's own events plus the two kinds a machine receives
 * from itself: an invoked actor completing (`xstate.done.actor.<id>` with an output,
 * `xstate.error.actor.<id>` with an error) and a delayed transition firing
 * (`xstate.after.<delay>.<state>`). Which outcomes to try for each invoked actor is
 * the test's choice; the machine itself says which actors run and which delays are
 * pending in each state. Only flat machines (no nested or parallel states) are
 * supported, which is what the actors are.
 */
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, getSimplePaths, type StatePath, type TraversalOptions } from "@xstate/graph";
import {
  createActor, fromPromise, getStateNodes, SimulatedClock,
  type Actor, type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom,
} from "xstate";
import { expect } from "vitest";

/** How an invoked actor ends: with an output, or with an error. */
export type Outcome = { readonly output: unknown } | { readonly error: Error };
export const succeeds = (output?: unknown): Outcome => ({ output });
export const fails = (message: string): Outcome => ({ error: new Error(message) });

/** The machine, the events to try in every state, and the outcomes to try for each invoked actor. */
export interface MachineModel<M extends AnyStateMachine> {
  readonly machine: M;
  readonly input?: InputFrom<M>;
  /** The machine's own events, tried in every state (unhandled ones are simply ignored). */
  readonly events: readonly EventFromLogic<M>[];
  /** Outcomes to try for each invoked actor, keyed by the name it is provided under. */
  readonly outcomes: Readonly<Record<string, readonly Outcome[]>>;
  /** States whose successors are not explored: bounds counters that would otherwise grow forever. */
  stopWhen?(snapshot: SnapshotFrom<M>): boolean;
}

export type ModelPath<M extends AnyStateMachine> = StatePath<SnapshotFrom<M>, EventFromLogic<M>>;
type ModelStep<M extends AnyStateMachine> = ModelPath<M>["steps"][number];

const DONE = "xstate.done.actor.";
const ERROR = "xstate.error.actor.";
const AFTER = "xstate.after.";
/** Longer than any delay the machines wait: firing a timer advances the clock by this much. */
const LONGEST_DELAY_MS = 24 * 3_600_000;

/** Names of the states a flat machine declares. */
export function declaredStates(machine: AnyStateMachine): string[] {
  return Object.keys(machine.root.states).sort();
}

/** The name of the state a flat machine's snapshot is in. */
export function stateOf(snapshot: { readonly value: unknown }): string {
  if (typeof snapshot.value !== "string") throw new TypeError(`not a flat machine's state: ${JSON.stringify(snapshot.value)}`);
  return snapshot.value;
}

/** Which invoked actor an event reports on, and how it ended; undefined for other events. */
export function completionOf(machine: AnyStateMachine, event: AnyEventObject): { src: string; outcome: Outcome } | undefined {
  const done = event.type.startsWith(DONE);
  if (!done && !event.type.startsWith(ERROR)) return undefined;
  const id = event.type.slice((done ? DONE : ERROR).length);
  const src = invokedSources(machine).get(id);
  if (src === undefined) throw new Error(`no invocation with id ${id}`);
  return { src, outcome: done ? { output: event["output"] } : { error: event["error"] as Error } };
}

function invokedSources(machine: AnyStateMachine): Map<string, string> {
  const sources = new Map<string, string>();
  for (const node of Object.values(machine.root.states)) {
    for (const def of node.invoke) sources.set(def.id, def.src as string);
  }
  return sources;
}

/*
 * Inside, models are walked untyped (any machine, any event): the events a machine sends
 * itself are not in its event union, and @xstate/graph's types can't follow a generic
 * machine. The exported functions give the walks back typed by the machine.
 */
type AnyModel = MachineModel<AnyStateMachine>;
type AnyPath = StatePath<AnyMachineSnapshot, AnyEventObject>;

/** The events to try in a snapshot: the model's own, every outcome of what is invoked, every pending delay. */
function eventsIn(model: AnyModel, snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const events: AnyEventObject[] = [...model.events];
  for (const node of getStateNodes(model.machine.root, snapshot.value)) {
    for (const def of node.invoke) {
      const src = def.src as string;
      const outcomes = model.outcomes[src];
      if (!outcomes) throw new Error(`the model gives no outcomes for the invoked actor "${src}"`);
      for (const o of outcomes) events.push("error" in o ? { type: `${ERROR}${def.id}`, error: o.error } : { type: `${DONE}${def.id}`, output: o.output });
    }
    for (const after of node.after) events.push({ type: after.eventType });
  }
  return events;
}

function traversal(model: AnyModel): TraversalOptions<AnyMachineSnapshot, AnyEventObject, unknown> {
  return {
    input: model.input,
    events: (s) => eventsIn(model, s),
    serializeEvent: (e) => JSON.stringify(e, (_k, v: unknown) => (v instanceof Error ? `Error: ${v.message}` : v)),
    // A machine that reached a final state takes no more events; the pure transition
    // function would still apply them, so the walk ends there, as the actor does.
    stopWhen: (s) => s.status !== "active" || (model.stopWhen?.(s) ?? false),
  };
}

type Transition<M extends AnyStateMachine> = { state: SnapshotFrom<M>; event: EventFromLogic<M>; next: SnapshotFrom<M> };

/** Every (state, event) → state transition reachable in the model. */
export function transitionsOf<M extends AnyStateMachine>(model: MachineModel<M>): Transition<M>[] {
  const adjacency = getAdjacencyMap(model.machine as AnyStateMachine, traversal(model));
  const transitions = adjacencyMapToArray(adjacency).map(({ state, event, nextState }) => ({ state, event, next: nextState }));
  return transitions as unknown as Transition<M>[];
}

/** A shortest path to every distinct (state, context) the model reaches. */
export function shortestPaths<M extends AnyStateMachine>(model: MachineModel<M>): ModelPath<M>[] {
  const paths: AnyPath[] = getShortestPaths(model.machine as AnyStateMachine, traversal(model));
  return paths as unknown as ModelPath<M>[];
}

/** Every path that visits no (state, context) twice, to every one the model reaches. */
export function simplePaths<M extends AnyStateMachine>(model: MachineModel<M>): ModelPath<M>[] {
  const paths: AnyPath[] = getSimplePaths(model.machine as AnyStateMachine, traversal(model));
  return paths as unknown as ModelPath<M>[];
}

/**
 * One path per transition of the model, self-loops included: the shortest path to the
 * transition's source state, then the transition. Simple paths never take an event a
 * state ignores (it leads nowhere new); these do, so "ignored" is checked as well.
 */
export function transitionPaths<M extends AnyStateMachine>(model: MachineModel<M>): ModelPath<M>[] {
  const key = (s: AnyMachineSnapshot): string => JSON.stringify({ value: s.value, context: s.context });
  const toState = new Map((shortestPaths(model) as unknown as AnyPath[]).map((p) => [key(p.state), p]));
  const paths = (transitionsOf(model) as unknown as Transition<AnyStateMachine>[]).map(({ state, event, next }): AnyPath => {
    const head = toState.get(key(state));
    if (!head) throw new Error(`no path to ${key(state)}`);
    return { state: next, steps: [...head.steps, { state: next, event }], weight: head.weight + 1 };
  });
  return paths as unknown as ModelPath<M>[];
}

/** One run of an invoked actor in a rig: what it was given, and how the test settled it. */
export interface Invocation {
  readonly src: string;
  readonly input: unknown;
  readonly signal: AbortSignal;
  outcome?: Outcome;
}

/**
 * A real actor of the machine whose invoked actors are gates: each run waits until the
 * replay settles it with the outcome its path chose. Time is a simulated clock.
 */
export class Rig<M extends AnyStateMachine> {
  readonly clock = new SimulatedClock();
  /** Every invoked actor run, in start order. */
  readonly invocations: Invocation[] = [];
  /** Errors the actor reported; a correct run reports none. */
  readonly errors: unknown[] = [];
  readonly actor: Actor<M>;
  readonly #machine: AnyStateMachine;
  readonly #settlers = new Map<Invocation, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /** `machine` may carry the test's own implementations (actions); its invoked actors are replaced. */
  constructor(machine: M, model: MachineModel<M>) {
    this.#machine = machine;
    const actors = Object.fromEntries(Object.keys(model.outcomes).map((src) => [src, this.#gate(src)]));
    // Generic over the machine, so its typed implementations can't be named here.
    const provided = (machine as AnyStateMachine).provide({ actors });
    this.actor = createActor(provided, { input: model.input, clock: this.clock }) as unknown as Actor<M>;
    this.actor.subscribe({ error: (err) => { this.errors.push(err); } });
    this.actor.start();
  }

  #gate(src: string) {
    return fromPromise<unknown, unknown>(({ input, signal }) => new Promise((resolve, reject) => {
      const run: Invocation = { src, input, signal };
      this.invocations.push(run);
      this.#settlers.set(run, { resolve, reject });
    }));
  }

  /** Runs still waiting for an outcome and not aborted. */
  inFlight(): Invocation[] {
    return this.invocations.filter((i) => i.outcome === undefined && !i.signal.aborted);
  }

  /** Delivers one model event the way it happens for real, and lets the actor settle. */
  async apply(event: AnyEventObject): Promise<void> {
    const completion = completionOf(this.#machine, event);
    if (completion) return this.settle(completion.src, completion.outcome);
    if (event.type.startsWith(AFTER)) this.clock.increment(LONGEST_DELAY_MS);
    else this.actor.send(event as EventFromLogic<M>);
    await settled();
  }

  /** Ends the one run of `src` in flight with `outcome`, and lets the actor settle. */
  async settle(src: string, outcome: Outcome): Promise<void> {
    const runs = this.inFlight().filter((i) => i.src === src);
    if (runs.length !== 1) throw new Error(`expected one run of ${src} in flight, found ${runs.length}`);
    const run = runs[0]!;
    run.outcome = outcome;
    const settle = this.#settlers.get(run)!;
    if ("error" in outcome) settle.reject(outcome.error);
    else settle.resolve(outcome.output);
    await settled();
  }

  /**
   * Replays a model path, asserting after every step that the actor is where the model
   * says, with the same context; `check` sees each step after the actor took it.
   */
  async replay(path: ModelPath<M>, check?: (step: ModelStep<M>, index: number) => void): Promise<void> {
    for (const [index, step] of path.steps.entries()) {
      if (index > 0) await this.apply(step.event);
      const snapshot = this.actor.getSnapshot() as AnyMachineSnapshot;
      const expected = step.state as AnyMachineSnapshot;
      expect({ value: snapshot.value, context: snapshot.context }, describePath(path, index))
        .toEqual({ value: expected.value, context: expected.context });
      check?.(step, index);
    }
    expect(this.errors).toEqual([]);
  }
}

/** Lets promise callbacks, and the events they send, run to completion. */
const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A path's events up to `until`, for failure messages: `done:joining → done:leasing {"finished":true,…} → after:backoff`. */
export function describePath<M extends AnyStateMachine>(path: ModelPath<M>, until = path.steps.length - 1): string {
  return path.steps.slice(1, until + 1).map((s) => describeEvent(s.event as AnyEventObject)).join(" → ") || "(initial)";
}

function describeEvent(event: AnyEventObject): string {
  const { type, ...fields } = event;
  const completion = /^xstate\.(done|error)\.actor\.\d+\.\w+\.(\w+)$/.exec(type);
  const after = /^xstate\.after\.(\w+)\./.exec(type);
  let label = type;
  let payload: unknown = Object.keys(fields).length > 0 ? fields : undefined;
  if (completion) {
    label = `${completion[1]}:${completion[2]}`;
    payload = fields["error"] instanceof Error ? fields["error"].message : fields["output"];
  } else if (after) {
    label = `after:${after[1]}`;
  }
  const json = payload === undefined ? "" : ` ${JSON.stringify(payload)}`;
  return label + (json.length > 60 ? `${json.slice(0, 57)}...` : json);
}
