/**
 * `colony agent`: a supervisor on another host that joins a running cluster and runs
 * the workers the root supervisor places on it. It connects to the cluster's NATS,
 * asks the root to join (getting the job's resolved config back: hosts share no file
 * system), starts a `workers` supervisor (same policy as the root's), converges it to
 * the ids the placement names for this agent, and heartbeats once a second with its
 * children. It fences itself (stops its workers) when NATS has been out of reach for
 * the heartbeat timeout, since the root has placed them elsewhere by then, and joins
 * again once NATS is back. A worker alive but silent (SIGSTOP) for the heartbeat timeout
 * is killed and replaced, as on the root. Its lifecycle is agentMachine; the root's side is
 * AgentRegistry and WorkerPlacer.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { createActor } from "xstate";
import { request } from "../../actors/client.js";
import { decodeMessage, encodeMessage, NotReadyError, subjects, UnknownOutcomeError } from "../../protocols/index.js";
import { ActorTree } from "../actor-tree.js";
import type { ClusterConfig } from "../config/index.js";
import { AgentJoinError } from "./agent-error.js";
import { agentMachine, type AgentState } from "./agent-machine.js";
import { watchWorkerPlacement } from "./placement-watch.js";
import { SilentChildren } from "./silent-children.js";

export interface AgentOptions {
  readonly natsUrl: string;
  readonly cluster: string;
  readonly agentId: string;
  /** The most workers this agent runs at once. */
  readonly capacity: number;
  /** Where its workers' logs and the config they read go. */
  readonly runDir: string;
  readonly log: Logger;
  /** Aborting stops the agent (Ctrl-C, SIGTERM). */
  readonly signal?: AbortSignal;
}

/** Runs an agent until the cluster stops or it is told to; resolves with the exit code (0 stopped, 1 failed). */
export async function runAgent(opts: AgentOptions): Promise<number> {
  const { log } = opts;
  const runDir = resolve(opts.runDir);
  await mkdir(join(runDir, "logs"), { recursive: true });
  const machine = createActor(agentMachine);
  const finished = new Promise<void>((done) => {
    machine.subscribe({ next: (s) => { if (s.status === "done") done(); }, error: (err) => { log.error({ err }, "agent machine failed"); done(); } });
  });
  let lastState = "";
  machine.subscribe({
    next: (s) => {
      if (s.value !== lastState) log.info({ from: lastState, to: s.value, reason: s.context.reason }, "agent state");
      lastState = s.value as string;
    },
    error: () => undefined,
  });
  machine.start();
  const state = (): AgentState => machine.getSnapshot().value as AgentState;
  const onAbort = (): void => machine.send({ type: "STOP", reason: "interrupted" });
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  let nc: NatsConnection;
  try {
    nc = await connect({ servers: opts.natsUrl, name: `${opts.cluster}/agent-${opts.agentId}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (err) {
    opts.signal?.removeEventListener("abort", onAbort);
    throw new AgentJoinError(`cannot reach NATS at ${opts.natsUrl}: ${(err as Error).message}; check the URL the cluster printed (colony status shows it)`, { cause: err });
  }
  machine.send({ type: "CONNECTED" });

  let tree: ActorTree | undefined;
  let jobId = "";
  const watching = new AbortController();
  const background: Promise<void>[] = [];
  let placed: readonly string[] = [];
  /** How long NATS may be out of reach before the agent fences itself: the root's heartbeat timeout. */
  let fenceMs = 5000;
  let converging = Promise.resolve();
  const converge = (ids: readonly string[]): void => {
    placed = ids;
    converging = converging.then(() => tree?.convergeWorkers(state() === "running" ? placed : []))
      .catch((err: unknown) => log.error({ err }, "could not converge the workers to the placement"));
  };

  /** Joins (again, after a fence): the first join also sets up the tree and the placement watch. */
  const joinCluster = async (): Promise<void> => {
    let reply;
    try {
      reply = await request(nc, subjects.agentJoin(opts.cluster), {
        v: 1, type: "ctl.agent.join", agentId: opts.agentId, pid: process.pid, capacity: opts.capacity,
      }, ["ctl.agent.joined"], { timeoutMs: 5000 });
    } catch (err) {
      if (err instanceof NotReadyError || err instanceof UnknownOutcomeError) {
        throw new AgentJoinError(`no cluster named '${opts.cluster}' answers at ${opts.natsUrl}; start one with colony up CONFIG --detach, or pass its name with --cluster NAME`, { cause: err });
      }
      throw err;
    }
    if (!reply.accepted || reply.config === undefined) {
      machine.send({ type: "REFUSED", reason: reply.reason ?? "no reason given" });
      return;
    }
    fenceMs = reply.heartbeatTimeoutMs ?? fenceMs;
    if (tree === undefined) {
      const config = JSON.parse(reply.config) as ClusterConfig & { jobId: string };
      jobId = config.jobId;
      const configFile = join(runDir, "config.json");
      await writeFile(configFile, JSON.stringify(config, null, 2));
      const workersLog = log.child({ supervisor: "workers" });
      tree = new ActorTree({
        config, configFile, natsUrl: opts.natsUrl, runDir, agentHost: opts.agentId,
        onEvent: (e) => {
          if (e.type === "actor.started") workersLog.info({ child: e.id, childPid: e.pid, attempt: e.attempt }, "actor started");
          else if (e.type === "actor.crashed") workersLog.error({ child: e.id, exit: e.exit, tail: e.tail.slice(-5) }, "actor crashed");
          else if (e.type === "actor.unresponsive") workersLog.warn({ child: e.id, reason: e.reason }, "actor unresponsive; killing it");
          else if (e.type === "actor.restarted") workersLog.warn({ child: e.id, attempt: e.attempt, delayMs: e.delayMs, cause: e.cause }, "actor restarting");
          else if (e.type === "tree.escalated") workersLog.error({ reason: e.reason }, "supervision gave up");
        },
      });
      await tree.start();
      void tree.failed.then((err) => machine.send({ type: "ESCALATED", reason: err.message }));
      background.push(watchWorkerPlacement({
        nc, cluster: opts.cluster, jobId, signal: watching.signal, onPlacement: (p) => converge(p.hosts[opts.agentId] ?? []),
      }));
    }
    // Run nothing until the root's next placement: after a fence, the workers last placed
    // here may run elsewhere by now (the root records a new revision for every join).
    placed = [];
    machine.send({ type: "JOINED" });
  };

  try {
    await joinCluster();
  } catch (err) {
    machine.send({ type: "UNREACHABLE", reason: (err as Error).message });
    watching.abort();
    await nc.close().catch(() => undefined);
    opts.signal?.removeEventListener("abort", onAbort);
    throw err;
  }

  const stopSub = nc.subscribe(subjects.stop(opts.cluster), {
    callback: (_e, msg) => {
      try {
        machine.send({ type: "STOP", reason: decodeMessage(msg.data, ["ctl.stop"]).reason });
      } catch { /* not a stop message */ }
    },
  });
  // A worker alive but silent is killed and replaced by the agent's supervisor (not while fenced: none answer then).
  const silence = new SilentChildren(nc, opts.cluster);
  const liveness = setInterval(() => {
    if (state() !== "running" || tree === undefined) return;
    for (const c of silence.silent(tree.children(), fenceMs)) tree.reportUnresponsive(c.id, `no heartbeat for ${fenceMs} ms`);
  }, 500);
  const beat = setInterval(() => {
    if (nc.isClosed()) return;
    nc.publish(subjects.agentHeartbeat(opts.cluster), encodeMessage({
      v: 1, type: "ctl.agent.heartbeat", agentId: opts.agentId, pid: process.pid, state: state(),
      children: (tree?.children() ?? []).map((c) => ({ id: c.id, pid: c.pid, restarts: c.restarts, startedAt: c.startedAt })),
    }));
  }, 1000);
  background.push(followContact(nc, opts.log, () => fenceMs, watching.signal, {
    lost: () => {
      machine.send({ type: "NATS_LOST" });
      converge(placed);
    },
    back: () => {
      if (state() !== "fenced") return;
      machine.send({ type: "NATS_BACK" });
      joinCluster().catch((err: unknown) => machine.send({ type: "STOP", reason: `could not join again: ${(err as Error).message}` }));
    },
  }));
  await new Promise<void>((resolveStop) => {
    const check = machine.subscribe((s) => { if (s.value === "stopping" || s.status === "done") { check.unsubscribe(); resolveStop(); } });
    if (state() === "stopping" || machine.getSnapshot().status === "done") resolveStop();
  });
  clearInterval(beat);
  clearInterval(liveness);
  silence.close();
  stopSub.unsubscribe();
  watching.abort();
  await converging;
  await tree?.stop();
  if (state() === "stopping") machine.send({ type: "STOPPED" });
  await finished;
  // Closing the connection ends the status follower too; only then wait for the background loops.
  await nc.close().catch(() => undefined);
  await Promise.allSettled(background);
  opts.signal?.removeEventListener("abort", onAbort);
  const end = machine.getSnapshot();
  log.info({ state: end.value, reason: end.context.reason }, "agent stopped");
  if (end.value === "refused") throw new AgentJoinError(`the cluster refused the agent: ${end.context.reason ?? "no reason given"}`);
  return end.value === "stopped" ? 0 : 1;
}

/**
 * Checks once a second that the server answers (a PING round trip): `lost` once it has
 * not for `timeoutMs()`, `back` at the first answer after that. A round trip, not the
 * client's connection status, because a cut link (no FIN, no RST) looks connected to
 * the client for as long as its ping interval (minutes).
 */
async function followContact(nc: NatsConnection, log: Logger, timeoutMs: () => number, signal: AbortSignal, on: { lost: () => void; back: () => void }): Promise<void> {
  let lastContact = Date.now();
  let lost = false;
  while (!signal.aborted && !nc.isClosed()) {
    const started = Date.now();
    const answered = await Promise.race([
      nc.rtt().then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
    ]);
    if (answered) {
      lastContact = Date.now();
      if (lost) {
        lost = false;
        log.info("NATS answers again");
        on.back();
      }
    } else if (!lost && Date.now() - lastContact > timeoutMs()) {
      lost = true;
      log.warn({ silentMs: Date.now() - lastContact }, "NATS out of reach; fencing: this agent's workers run elsewhere by now");
      on.lost();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
  }
}
