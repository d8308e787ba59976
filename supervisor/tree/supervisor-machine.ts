/**
 * A supervisor's own lifecycle as a diagram:
 *
 *   idle → starting → running ⇄ restarting → escalating → escalated
 *              ↘          ↘         ↘
 *               stopping → stopped   (STOP from idle, starting, running, restarting)
 *
 * The machine decides the one thing OTP defines at this level: whether a child failure
 * that calls for a restart is still within the intensity limit (→ restarting) or one
 * too many (→ escalating). Everything about individual children — the registry of
 * processes, strategies, backoff timers — stays in the Supervisor class, which sends
 * the events below and reads the state back; the machine has no side effects, so a
 * model walk can explore it with pure transitions.
 */
import { assign, setup } from "xstate";
import { recordRestart } from "./restart-intensity.js";

export interface SupervisorMachineInput {
  readonly id: string;
  readonly intensity: number;
  readonly periodMs: number;
}

export interface SupervisorMachineContext extends SupervisorMachineInput {
  /** Times of the restarts inside the current window, oldest first. */
  readonly restarts: readonly number[];
  /** Set on escalating: the child whose failure went over the limit, and the restarts counted. */
  readonly escalation?: { readonly child: string; readonly restarts: number };
}

export type SupervisorMachineEvent =
  /** start() was called. */
  | { type: "START" }
  /** Every initial child is running. */
  | { type: "STARTED" }
  /** An initial child failed to start; the ones started are being stopped. */
  | { type: "START_FAILED" }
  /** A child failed and its restart type calls for a restart, at clock time `at`. */
  | { type: "CHILD_FAILED"; child: string; at: number }
  /** No restart is pending or in progress any more. */
  | { type: "RESTARTS_SETTLED" }
  /** stop() was called. */
  | { type: "STOP" }
  /** Every child has exited after STOP or START_FAILED. */
  | { type: "STOPPED" }
  /** Every child has exited after escalating. */
  | { type: "ESCALATED" };

/** The state names, for callers that read the supervisor's status. */
export type SupervisorState =
  | "idle" | "starting" | "running" | "restarting" | "escalating" | "escalated" | "stopping" | "stopped";

export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorMachineInput,
    context: {} as SupervisorMachineContext,
    events: {} as SupervisorMachineEvent,
  },
  guards: {
    overIntensity: ({ context, event }) =>
      event.type === "CHILD_FAILED" && recordRestart(context.restarts, event.at, context).exceeded,
  },
  actions: {
    recordRestart: assign({
      restarts: ({ context, event }) =>
        event.type === "CHILD_FAILED" ? recordRestart(context.restarts, event.at, context).times : context.restarts,
    }),
    recordEscalation: assign({
      escalation: ({ context, event }) => {
        if (event.type !== "CHILD_FAILED") return context.escalation;
        return { child: event.child, restarts: recordRestart(context.restarts, event.at, context).times.length };
      },
    }),
  },
}).createMachine({
  id: "supervisor",
  initial: "idle",
  context: ({ input }) => ({ id: input.id, intensity: input.intensity, periodMs: input.periodMs, restarts: [] }),
  states: {
    idle: {
      on: { START: "starting", STOP: "stopping" },
    },
    starting: {
      on: { STARTED: "running", START_FAILED: "stopping", STOP: "stopping" },
    },
    running: {
      on: {
        CHILD_FAILED: [
          { guard: "overIntensity", target: "escalating", actions: "recordEscalation" },
          { target: "restarting", actions: "recordRestart" },
        ],
        STOP: "stopping",
      },
    },
    restarting: {
      on: {
        CHILD_FAILED: [
          { guard: "overIntensity", target: "escalating", actions: "recordEscalation" },
          { target: "restarting", actions: "recordRestart" },
        ],
        RESTARTS_SETTLED: "running",
        STOP: "stopping",
      },
    },
    // Children are being stopped; STOP changes nothing, the outcome is an escalation either way.
    escalating: {
      on: { ESCALATED: "escalated" },
    },
    escalated: { type: "final" },
    stopping: {
      on: { STOPPED: "stopped" },
    },
    stopped: { type: "final" },
  },
});
