/**
 * Which of an agent's worker children have gone silent (alive but no heartbeat: a
 * SIGSTOP, a stalled event loop), so the agent's supervisor can kill and replace them,
 * as the root's status board does for the root's own children.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { decodeMessage, subjects } from "../../protocols/index.js";
import type { ChildInfo } from "../cluster-status.js";

export class SilentChildren {
  /** Last heartbeat per actor id, with the pid it came from. */
  readonly #seen = new Map<string, { pid: number; at: number }>();
  readonly #sub: Subscription;

  constructor(nc: NatsConnection, cluster: string) {
    this.#sub = nc.subscribe(subjects.heartbeat(cluster), {
      callback: (_e, msg) => {
        try {
          const h = decodeMessage(msg.data, ["ctl.heartbeat"]);
          this.#seen.set(h.actor.id, { pid: h.actor.pid, at: Date.now() });
        } catch { /* not a heartbeat; the coordinator counts those */ }
      },
    });
  }

  /** The children without a heartbeat for `timeoutMs`, counting from their (re)start. */
  silent(children: readonly ChildInfo[], timeoutMs: number, now = Date.now()): ChildInfo[] {
    return children.filter((c) => {
      const s = this.#seen.get(c.id);
      return now - (s && s.pid === c.pid ? s.at : c.startedAt) > timeoutMs;
    });
  }

  close(): void {
    this.#sub.unsubscribe();
  }
}
