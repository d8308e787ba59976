/**
 * The root supervisor of `colony up`: starts the embedded nats-server (unless the config
 * names one), then the cluster's supervision tree (coordinator, shards, workers as OS
 * processes), follows the job until the coordinator reports it done, and stops
 * everything — children first, then NATS — leaving no process and no port behind.
 *
 * While the job runs it restarts crashed children by policy, kills and replaces children
 * that stop heartbeating, converges the workers to the desired count recorded in KV
 * (`colony scale`) and places them on the agents that joined (`colony agent`; workers of
 * a lost agent are placed elsewhere), answers `colony status`, serves Prometheus metrics when
 * `observability.prometheusPort` is set, and registers the cluster so operator
 * commands can find it. A tree that exceeds its restart intensity ends the job with
 * that error.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeMessage, encodeMessage, subjects, type JobDone } from "../protocols/index.js";
import { pino, type Logger } from "pino";
import { Counters, otlpUrl, watchPartitionMap } from "../actors/index.js";
import { ActorTree, type ActorTreeEvent } from "./actor-tree.js";
import type { AgentView, ChildInfo } from "./cluster-status.js";
import type { ClusterConfig } from "./config/index.js";
import { registerCluster, unregisterCluster } from "./cluster-registry.js";
import { keepResumeSource } from "./resume-checkpoint.js";
import { ClusterStatusBoard } from "./cluster-status.js";
import { watchDesiredShards, watchDesiredWorkers } from "./desired-workers.js";
import { AgentRegistry } from "./agent-registry.js";
import { WorkerPlacer } from "./worker-placer.js";
import { startClusterMetrics, type ClusterMetrics } from "./metrics/index.js";
import { startNatsServer, type NatsServerHandle } from "./nats-server.js";
import type { Progress } from "../protocols/index.js";

/** What happens while a cluster runs, for the command line to render. */
export type ClusterEvent =
  | { type: "nats.started"; url: string; embedded: boolean }
  | { type: "metrics.listening"; url: string }
  | ActorTreeEvent
  | { type: "progress"; progress: Progress }
  | { type: "scaled"; workers: number }
  | { type: "stopping"; reason: string }
  | { type: "job.done"; done: JobDone };

export interface ClusterRunOptions {
  readonly config: ClusterConfig;
  readonly runDir: string;
  readonly onEvent?: (e: ClusterEvent) => void;
  /** Aborting stops the cluster (Ctrl-C); the result then says the job was interrupted. */
  readonly signal?: AbortSignal;
  /** Called once the actor tree exists, with a view of its live processes (chaos targets them). */
  readonly onTree?: (actors: () => readonly ChildInfo[]) => void;
  /** A checkpoint to continue the job from (`colony up --resume`), checked by checkResumable. */
  readonly resume?: string;
  /** The root supervisor's logger; the worker placer and the agent registry log through a child of it. */
  readonly log?: Logger;
  /** A different NATS URL for one actor, by id (chaos routes actors through network links). */
  readonly natsUrlFor?: (actorId: string) => string | undefined;
}

/** Result of a cluster run: the coordinator's final report, or why there is none. */
export type ClusterRunResult = JobDone;


/** Runs one job on a local cluster to its end; resolves after every process has exited. */
export async function runCluster(opts: ClusterRunOptions): Promise<ClusterRunResult> {
  const { config } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const runDir = resolve(opts.runDir);
  const started = Date.now();
  await mkdir(join(runDir, "logs"), { recursive: true });
  const resumeFrom = opts.resume === undefined ? undefined : await keepResumeSource(opts.resume, runDir, started);
  // A previous run's final checkpoint and shard snapshots must not pass for this run's.
  await rm(join(runDir, "final"), { recursive: true, force: true });
  await rm(join(runDir, "shards"), { recursive: true, force: true });
  const configFile = join(runDir, "config.json");
  // The job's identity: a coordinator or shard restarted within this run resumes saved
  // state; a new `colony up` on the same store starts over.
  const jobId = `${started.toString(36)}-${process.pid}`;
  await writeFile(configFile, JSON.stringify({ ...config, jobId, ...(resumeFrom ? { resumeFrom } : {}) }, null, 2));

  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  let tree: ActorTree | undefined;
  let board: ClusterStatusBoard | undefined;
  let metrics: ClusterMetrics | undefined;
  let agents: AgentRegistry | undefined;
  let registered = false;
  const watching = new AbortController();
  const background: Promise<void>[] = [];
  try {
    let url = config.nats.url;
    if (!url) {
      nats = await startNatsServer({ storeDir: join(runDir, "nats"), maxPayload: config.nats.maxPayload, logFile: join(runDir, "logs", "nats-server.log") });
      url = nats.url;
    }
    emit({ type: "nats.started", url, embedded: nats !== undefined });
    nc = await connect({ servers: url, name: `${config.cluster}/supervisor`, maxReconnectAttempts: -1 });
    const conn = nc;
    const statusBoard = (board = new ClusterStatusBoard(conn, config.cluster, { natsUrl: url, runDir }));
    statusBoard.setDesiredWorkers(config.workers.count);
    const { prometheusPort, prometheusHost, otlpEndpoint, otlpMetricsIntervalMs } = config.observability;
    if (prometheusPort !== undefined || otlpEndpoint !== undefined) {
      metrics = await startClusterMetrics({
        cluster: config.cluster, status: () => statusBoard.snapshot(), partitionLoad: () => statusBoard.partitionLoad(),
        prometheus: prometheusPort === undefined ? undefined : { host: prometheusHost, port: prometheusPort },
        otlp: otlpEndpoint === undefined ? undefined : { url: otlpUrl(otlpEndpoint, "metrics"), intervalMs: otlpMetricsIntervalMs },
      });
      if (metrics.prometheusUrl) emit({ type: "metrics.listening", url: metrics.prometheusUrl });
    }

    const outcome = new Promise<JobDone>((resolveOutcome) => {
      const fail = (error: string): void => resolveOutcome({
        v: 1, type: "job.done", ok: false, rowsTrained: 0, rowsRepeated: 0, durationMs: Date.now() - started, error,
      });
      conn.subscribe(subjects.jobDone(config.cluster), {
        callback: (_err, msg) => {
          try {
            resolveOutcome(decodeMessage(msg.data, ["job.done"]));
          } catch { /* an unreadable job.done is not the coordinator's; keep waiting */ }
        },
      });
      conn.subscribe(subjects.progress(config.cluster), {
        callback: (_err, msg) => {
          try {
            const progress = decodeMessage(msg.data, ["job.progress"]);
            statusBoard.setProgress(progress);
            emit({ type: "progress", progress });
          } catch { /* a bad progress line is not worth stopping for */ }
        },
      });
      opts.signal?.addEventListener("abort", () => fail("interrupted"), { once: true });

      tree = new ActorTree({
        config, configFile, natsUrl: url!, runDir, natsUrlFor: opts.natsUrlFor,
        onEvent: (e) => {
          if (e.type === "actor.restarted" || e.type === "actor.crashed" || e.type === "actor.unresponsive" || e.type === "tree.escalated") {
            statusBoard.event(describe(e));
          }
          emit(e);
        },
      });
      statusBoard.setChildren(() => tree!.children());
      opts.onTree?.(() => tree!.children());
      void tree.failed.then((err) => fail(err.message));
      tree.start().then(() => undefined, (err: unknown) => fail(`could not start the cluster: ${(err as Error).message}`));
    });

    background.push(watchPartitionMap({
      nc, cluster: config.cluster, jobId, log: pino({ level: "silent" }), counters: new Counters(), signal: watching.signal, onMap: (m) => board?.setMap(m),
    }));
    const placerLog = (opts.log ?? pino({ level: "silent" })).child({ component: "placer" });
    const placer = new WorkerPlacer({
      nc, cluster: config.cluster, jobId, log: placerLog, desired: config.workers.count, agents: () => agents,
      convergeRoot: async (ids) => tree?.convergeWorkers(ids),
    });
    agents = new AgentRegistry({
      nc, cluster: config.cluster, log: placerLog, heartbeatTimeoutMs: config.supervision.heartbeatTimeoutMs,
      configJson: JSON.stringify({ ...config, jobId, ...(resumeFrom ? { resumeFrom } : {}) }),
      onChange: (why, joined) => {
        board?.event(why);
        placer.replace(why, joined).catch((err: unknown) => board?.event(`placing workers failed: ${(err as Error).message}`));
      },
    });
    board.setAgents(() => agentView(agents!, placer));
    background.push(watchDesiredWorkers({
      nc, cluster: config.cluster, jobId, signal: watching.signal,
      onChange: (workers) => {
        board?.setDesiredWorkers(workers);
        if (tree && placer.desired !== workers) {
          board?.event(`scale: workers ${placer.desired} → ${workers}`);
          emit({ type: "scaled", workers });
          placer.setDesired(workers).catch((err: unknown) => board?.event(`scaling failed: ${(err as Error).message}`));
        }
      },
    }));
    background.push(watchDesiredShards({
      nc, cluster: config.cluster, jobId, signal: watching.signal,
      onChange: (shards) => {
        if (tree && tree.desiredShards !== shards) {
          board?.event(`scale: shards ${tree.desiredShards} → ${shards}`);
          void tree.scaleShards(shards);
        }
      },
    }));
    await registerCluster({
      cluster: config.cluster, natsUrl: url, supervisorPid: process.pid, runDir, startedAt: new Date(started).toISOString(), metricsUrl: metrics?.prometheusUrl,
    });
    registered = true;

    // A child alive but silent (SIGSTOP, a stalled event loop) is killed and replaced.
    const liveness = setInterval(() => {
      for (const c of board?.silent(config.supervision.heartbeatTimeoutMs) ?? []) {
        tree?.reportUnresponsive(c.id, `no heartbeat for ${config.supervision.heartbeatTimeoutMs} ms`);
      }
    }, 500);

    const done = await outcome;
    clearInterval(liveness);
    emit({ type: "stopping", reason: done.ok ? "job done" : (done.error ?? "job failed") });
    emit({ type: "job.done", done });
    return done;
  } finally {
    watching.abort();
    // The tree stops its children first (SIGTERM, reverse start order; an actor treats it as
    // STOP), so no exit during shutdown is taken for a crash and restarted.
    await tree?.stop();
    if (nc && !nc.isClosed()) {
      // Anything of this cluster that is not our child (a stray actor) stops too.
      nc.publish(subjects.stop(config.cluster), encodeMessage({ v: 1, type: "ctl.stop", reason: "cluster stopping" }));
      await nc.flush().catch(() => undefined);
    }
    await metrics?.close();
    agents?.close();
    board?.close();
    if (registered) await unregisterCluster(config.cluster, process.pid);
    await Promise.allSettled(background);
    await nc?.close().catch(() => undefined);
    await nats?.stop();
  }
}

/** The agents for `colony status`: each with the workers placed on it, and the children it reports. */
function agentView(registry: AgentRegistry, placer: WorkerPlacer): AgentView {
  const now = Date.now();
  const records = registry.agents();
  return {
    agents: records.map((a) => ({
      id: a.id, pid: a.pid, state: a.state, capacity: a.capacity, workers: placer.placement.hosts[a.id] ?? [], silentMs: now - a.lastSeen,
    })),
    children: records.filter((a) => a.state === "live").flatMap((a) => a.children.map((c) => ({ ...c, kind: "worker", host: a.id }))),
  };
}

function describe(e: ActorTreeEvent): string {
  switch (e.type) {
    case "actor.restarted": return `${e.id} restarted (attempt ${e.attempt}, after ${e.delayMs} ms): ${e.cause}`;
    case "actor.crashed": return `${e.id} exited (${e.exit.signal ?? `code ${e.exit.code}`})`;
    case "actor.unresponsive": return `${e.id} killed: ${e.reason}`;
    case "tree.escalated": return `supervision gave up: ${e.reason}`;
    default: return e.type;
  }
}
