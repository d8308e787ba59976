/**
 * An agent's (`colony agent`) own lifecycle as a diagram:
 *
 *   connecting → joining → running ⇄ fenced
 *        ↓          ↓         ↓        ↓
 *      failed    refused   stopping → stopped        (STOP from any live state)
 *                             ↓
 *                           failed                   (its workers supervisor escalated)
 *
 * `fenced`: NATS was out of reach for the heartbeat timeout, so the root has placed this
 * agent's workers elsewhere; it stops them and joins again once NATS is back. The
 * machine has no side effects: agent-run.ts sends the events and acts on the states.
 */
import { assign, setup } from "xstate";

export type AgentMachineEvent =
  /** Connected to NATS. */
  | { type: "CONNECTED" }
  /** NATS could not be reached, or the cluster never answered. */
  | { type: "UNREACHABLE"; reason: string }
  /** The root accepted the join. */
  | { type: "JOINED" }
  /** The root refused the join (a reason the operator must act on). */
  | { type: "REFUSED"; reason: string }
  /** NATS was out of reach for the heartbeat timeout. */
  | { type: "NATS_LOST" }
  /** NATS is back after a fence. */
  | { type: "NATS_BACK" }
  /** `colony down`, the job's end, SIGTERM or Ctrl-C. */
  | { type: "STOP"; reason: string }
  /** The agent's workers supervisor gave up (restart intensity exceeded). */
  | { type: "ESCALATED"; reason: string }
  /** Every worker child has exited. */
  | { type: "STOPPED" };

/** The state names, for heartbeats and logs. */
export type AgentState = "connecting" | "joining" | "running" | "fenced" | "stopping" | "stopped" | "refused" | "failed";

export interface AgentMachineContext {
  /** Why the agent stopped or failed. */
  readonly reason?: string;
  /** Whether the stop came from a failure (exit code 1). */
  readonly failed: boolean;
}

export const agentMachine = setup({
  types: { context: {} as AgentMachineContext, events: {} as AgentMachineEvent },
  actions: {
    remember: assign(({ event }) => ("reason" in event ? { reason: event.reason } : {})),
    markFailed: assign({ failed: true }),
  },
}).createMachine({
  id: "agent",
  initial: "connecting",
  context: { failed: false },
  states: {
    connecting: {
      on: {
        CONNECTED: "joining",
        UNREACHABLE: { target: "failed", actions: "remember" },
        STOP: { target: "stopped", actions: "remember" },
      },
    },
    joining: {
      on: {
        JOINED: "running",
        REFUSED: { target: "refused", actions: "remember" },
        UNREACHABLE: { target: "failed", actions: "remember" },
        STOP: { target: "stopping", actions: "remember" },
      },
    },
    running: {
      on: {
        NATS_LOST: "fenced",
        STOP: { target: "stopping", actions: "remember" },
        ESCALATED: { target: "stopping", actions: ["remember", "markFailed"] },
      },
    },
    fenced: {
      on: {
        NATS_BACK: "joining",
        STOP: { target: "stopping", actions: "remember" },
        ESCALATED: { target: "stopping", actions: ["remember", "markFailed"] },
      },
    },
    stopping: {
      on: { STOPPED: [{ guard: ({ context }) => context.failed, target: "failed" }, { target: "stopped" }] },
    },
    stopped: { type: "final" },
    refused: { type: "final" },
    failed: { type: "final" },
  },
});
