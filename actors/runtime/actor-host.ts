/**
 * Hosts one actor in its OS process: the NATS connection, the pino child logger, the
 * counters and mailbox, and the actor's xstate machine. The host publishes heartbeats
 * carrying the machine's state, answers inspection requests, and turns `ctl.stop` and
 * SIGTERM/SIGINT into a STOP event; the process exits once the machine is final.
 */
import { hostname } from "node:os";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { AnyActorRef, SnapshotFrom } from "xstate";
import { ActorKind, encodeMessage, subjects, type ActorRef } from "../../protocols/index.js";
import type { ActorConfig } from "./actor-config.js";
import { Counters } from "./counters.js";
import { actorLogger } from "./logger.js";
import { Mailbox } from "./mailbox.js";

/** Everything an actor needs from its process. */
export interface ActorContext {
  readonly cluster: string;
  readonly ref: ActorRef;
  readonly config: ActorConfig;
  readonly runDir: string;
  readonly nc: NatsConnection;
  readonly log: Logger;
  readonly counters: Counters;
  readonly mailbox: Mailbox;
  /** Largest message the NATS server accepts. */
  readonly maxPayload: number;
}

/** Connects to NATS and builds the context of one actor. */
export async function openActorContext(opts: {
  id: string; kind: ActorKind; config: ActorConfig; natsUrl: string; runDir: string;
  /** The host the actor reports (an agent's id when an agent runs it); default the machine's hostname. */
  host?: string;
  /** A connection opened before the id was known (a standby worker's); default: connect now. */
  nc?: NatsConnection;
}): Promise<ActorContext> {
  const host = opts.host ?? hostname();
  const log = actorLogger({ cluster: opts.config.cluster, actor: opts.id, kind: opts.kind, level: opts.config.log.level, host });
  const nc = opts.nc ?? await connectActor({ cluster: opts.config.cluster, id: opts.id, natsUrl: opts.natsUrl });
  const counters = new Counters();
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  return {
    cluster: opts.config.cluster,
    ref: { id: opts.id, kind: opts.kind, pid: process.pid, host },
    config: opts.config,
    runDir: opts.runDir,
    nc,
    log,
    counters,
    mailbox: new Mailbox({ nc, log, counters, maxBytes: maxPayload }),
    maxPayload,
  };
}

/** An actor's NATS connection: reconnects forever, every 250 ms. */
export function connectActor(opts: { cluster: string; id: string; natsUrl: string }): Promise<NatsConnection> {
  return connect({ servers: opts.natsUrl, name: `${opts.cluster}/${opts.id}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

/** The machine's state value as a dotted path ("training" or "serving.idle"). */
export function stateOf(snapshot: SnapshotFrom<AnyActorRef>): string {
  const parts: string[] = [];
  let v: unknown = (snapshot as { value?: unknown }).value;
  while (v && typeof v === "object") {
    const [k, inner] = Object.entries(v as Record<string, unknown>)[0] ?? [];
    if (k === undefined) break;
    parts.push(k);
    v = inner;
  }
  if (typeof v === "string") parts.push(v);
  return parts.join(".");
}

/**
 * Runs a started machine actor until it reaches a final state, with heartbeats,
 * inspection and stop handling. Resolves when the process may exit.
 */
export async function hostActor(ctx: ActorContext, actor: AnyActorRef, opts: {
  heartbeatMs?: number;
  leaseId?: () => string | undefined;
  /** Runs after the machine is final, before the mailbox and connection close. */
  beforeClose?: () => Promise<void>;
} = {}): Promise<void> {
  const { nc, log, counters, mailbox, cluster, ref } = ctx;
  const done = new Promise<void>((resolve) => {
    actor.subscribe({
      next: (s) => { if (s.status === "done") resolve(); },
      error: (err) => {
        // An unobserved xstate error would kill the process later; log it and stop cleanly instead.
        log.error({ err }, "actor machine failed");
        resolve();
      },
      complete: () => resolve(),
    });
  });
  let lastState = "";
  actor.subscribe({
    next: (s) => {
      const state = stateOf(s);
      if (state !== lastState) log.debug({ from: lastState, to: state }, "state");
      lastState = state;
    },
    error: () => undefined,
  });

  mailbox.serve(subjects.inspect(cluster, ref.id), ["ctl.inspect"], () => ({
    v: 1, type: "ctl.inspected", actor: ref, state: stateOf(actor.getSnapshot()),
    counters: counters.snapshot(), subjects: mailbox.subjects,
  }));
  mailbox.serve(subjects.stop(cluster), ["ctl.stop"], (m) => {
    log.info({ reason: m.reason }, "stop requested");
    actor.send({ type: "STOP" });
    return undefined;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "stop on signal");
    actor.send({ type: "STOP" });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const beat = (): void => {
    if (nc.isClosed()) return;
    nc.publish(subjects.heartbeat(cluster), encodeMessage({
      v: 1, type: "ctl.heartbeat", actor: ref, state: stateOf(actor.getSnapshot()),
      counters: counters.snapshot(), leaseId: opts.leaseId?.(),
    }));
  };
  // An actor whose supervisor died (even by SIGKILL) is re-parented: stop rather than linger.
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      log.warn({ parent }, "supervisor is gone; stopping");
      actor.send({ type: "STOP" });
    }
    beat();
  }, opts.heartbeatMs ?? 1000);
  beat();

  await done;
  clearInterval(timer);
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  await opts.beforeClose?.();
  await mailbox.close();
  await nc.drain().catch(() => undefined);
}
