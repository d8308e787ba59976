import { getShortestPaths } from "@xstate/graph";
import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import { agentMachine, type AgentMachineEvent } from "../../../../supervisor/index.js";

/** The state after sending `events` to a fresh agent machine. */
function after(events: AgentMachineEvent[]): { value: string; failed: boolean; reason?: string } {
  const actor = createActor(agentMachine);
  actor.start();
  for (const e of events) actor.send(e);
  const s = actor.getSnapshot();
  actor.stop();
  return { value: s.value as string, failed: s.context.failed, reason: s.context.reason };
}

const EVENTS: AgentMachineEvent[] = [
  { type: "CONNECTED" }, { type: "UNREACHABLE", reason: "r" }, { type: "JOINED" }, { type: "REFUSED", reason: "r" },
  { type: "NATS_LOST" }, { type: "NATS_BACK" }, { type: "STOP", reason: "r" }, { type: "ESCALATED", reason: "r" }, { type: "STOPPED" },
];

describe("agentMachine", () => {
  it("runs once connected and joined", () => {
    expect(after([{ type: "CONNECTED" }, { type: "JOINED" }]).value).toBe("running");
  });

  it("fences itself when NATS is lost and joins again when it is back", () => {
    const base: AgentMachineEvent[] = [{ type: "CONNECTED" }, { type: "JOINED" }, { type: "NATS_LOST" }];
    expect(after(base).value).toBe("fenced");
    expect(after([...base, { type: "NATS_BACK" }]).value).toBe("joining");
    expect(after([...base, { type: "NATS_BACK" }, { type: "JOINED" }]).value).toBe("running");
  });

  it("ends stopped after a STOP once its workers have exited", () => {
    const stop: AgentMachineEvent[] = [{ type: "CONNECTED" }, { type: "JOINED" }, { type: "STOP", reason: "cluster stopping" }];
    expect(after(stop).value).toBe("stopping");
    expect(after([...stop, { type: "STOPPED" }])).toEqual({ value: "stopped", failed: false, reason: "cluster stopping" });
  });

  it("ends failed when its workers supervisor escalates", () => {
    expect(after([{ type: "CONNECTED" }, { type: "JOINED" }, { type: "ESCALATED", reason: "too many restarts" }, { type: "STOPPED" }]))
      .toEqual({ value: "failed", failed: true, reason: "too many restarts" });
  });

  it("ends refused, with the root's reason, when its join is refused", () => {
    expect(after([{ type: "CONNECTED" }, { type: "REFUSED", reason: "id taken" }])).toMatchObject({ value: "refused", reason: "id taken" });
  });

  it("reaches every state it declares", () => {
    const paths = getShortestPaths(agentMachine, { events: EVENTS });
    const reached = new Set(paths.map((p) => p.state.value as string));
    expect([...reached].sort()).toEqual(Object.keys(agentMachine.config.states!).sort());
  });
});
