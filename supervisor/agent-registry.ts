/**
 * The root supervisor's record of the agents (`colony agent`) that joined its cluster:
 * it answers their join requests (with the job's resolved config), follows their
 * heartbeats (the worker children each runs), and declares an agent lost once it has
 * been silent for the heartbeat timeout. It decides nothing about placement: it tells
 * its listener when the set of live agents changed.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "pino";
import {
  decodeMessage, encodeMessage, errorReply, isAgentId, subjects, type AgentChild, type AgentJoin, type AgentJoined,
} from "../protocols/index.js";
import type { PlacementHost } from "./worker-placement.js";

/** What the root knows of one agent. */
export interface AgentRecord {
  readonly id: string;
  pid: number;
  capacity: number;
  state: "live" | "lost";
  lastSeen: number;
  children: AgentChild[];
}

export class AgentRegistry {
  readonly #agents = new Map<string, AgentRecord>();
  readonly #subs: Subscription[] = [];
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #onChange: (why: string, joined: boolean) => void;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(opts: {
    nc: NatsConnection; cluster: string; log: Logger;
    /** The resolved config (RUN/config.json), sent to each agent that joins. */
    configJson: string;
    heartbeatTimeoutMs: number;
    /** Called after an agent joined (`joined`: true) or was declared lost. */
    onChange: (why: string, joined: boolean) => void;
  }) {
    this.#timeoutMs = opts.heartbeatTimeoutMs;
    this.#log = opts.log;
    this.#onChange = opts.onChange;
    this.#subs.push(opts.nc.subscribe(subjects.agentJoin(opts.cluster), {
      callback: (_e, msg) => {
        try {
          msg.respond(encodeMessage(this.#join(decodeMessage(msg.data, ["ctl.agent.join"]), opts.configJson)));
        } catch (err) {
          msg.respond(encodeMessage(errorReply(err)));
        }
      },
    }));
    this.#subs.push(opts.nc.subscribe(subjects.agentHeartbeat(opts.cluster), {
      callback: (_e, msg) => {
        try {
          const h = decodeMessage(msg.data, ["ctl.agent.heartbeat"]);
          const a = this.#agents.get(h.agentId);
          // A lost agent must join again: its workers were placed elsewhere meanwhile.
          if (!a || a.state !== "live" || a.pid !== h.pid) return;
          a.lastSeen = Date.now();
          a.children = h.children;
        } catch { /* a malformed heartbeat is not an agent's; ignore it */ }
      },
    }));
    this.#timer = setInterval(() => this.#checkLiveness(), 500);
  }

  #join(m: AgentJoin, configJson: string): AgentJoined {
    const refuse = (reason: string): AgentJoined => ({ v: 1, type: "ctl.agent.joined", accepted: false, reason });
    if (!isAgentId(m.agentId)) return refuse(`agent id '${m.agentId}' is not valid: use letters, digits, '_' and '-' (and not 'root')`);
    const seen = this.#agents.get(m.agentId);
    if (seen && seen.state === "live" && seen.pid !== m.pid) return refuse(`an agent with id '${m.agentId}' is already running (pid ${seen.pid}); pick another with --id`);
    this.#agents.set(m.agentId, { id: m.agentId, pid: m.pid, capacity: m.capacity, state: "live", lastSeen: Date.now(), children: [] });
    this.#log.info({ agent: m.agentId, agentPid: m.pid, capacity: m.capacity }, "agent joined");
    if (!seen || seen.state !== "live") queueMicrotask(() => this.#onChange(`agent ${m.agentId} joined`, true));
    return { v: 1, type: "ctl.agent.joined", accepted: true, config: configJson, heartbeatTimeoutMs: this.#timeoutMs };
  }

  #checkLiveness(now = Date.now()): void {
    for (const a of this.#agents.values()) {
      if (a.state !== "live" || now - a.lastSeen <= this.#timeoutMs) continue;
      a.state = "lost";
      a.children = [];
      this.#log.warn({ agent: a.id, agentPid: a.pid, silentMs: now - a.lastSeen }, "agent lost; placing its workers elsewhere");
      this.#onChange(`agent ${a.id} lost (no heartbeat for ${this.#timeoutMs} ms)`, false);
    }
  }

  /** The live agents as placement hosts. */
  liveHosts(): PlacementHost[] {
    return [...this.#agents.values()].filter((a) => a.state === "live").map((a) => ({ id: a.id, capacity: a.capacity }));
  }

  /** Every agent that joined, live or lost. */
  agents(): readonly AgentRecord[] {
    return [...this.#agents.values()];
  }

  close(): void {
    clearInterval(this.#timer);
    for (const s of this.#subs) s.unsubscribe();
  }
}
