/**
 * The root supervisor of `colony up`: starts the embedded nats-server (unless the config
 * names one), then the coordinator, shards and workers as OS processes, follows the job
 * until the coordinator reports it done, and stops everything — children first, then
 * NATS — leaving no process and no port behind. A child that dies while the job runs is
 * reported with its exit status and last log lines, and the job stops with an error
 * instead of hanging. (Restart strategies come with the OTP supervision tree.)
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  decodeMessage, encodeMessage, subjects, type JobDone, type Progress,
} from "../protocols/index.js";
import { ActorProcess, type ActorExit } from "./actor-process.js";
import type { ClusterConfig } from "./config/index.js";
import { startNatsServer, type NatsServerHandle } from "./nats-server.js";

/** What happens while a cluster runs, for the command line to render. */
export type ClusterEvent =
  | { type: "nats.started"; url: string; embedded: boolean }
  | { type: "actor.started"; id: string; pid: number }
  | { type: "actor.crashed"; id: string; exit: ActorExit; tail: string[] }
  | { type: "actor.error"; id: string; line: string }
  | { type: "progress"; progress: Progress }
  | { type: "stopping"; reason: string }
  | { type: "job.done"; done: JobDone };

export interface ClusterRunOptions {
  readonly config: ClusterConfig;
  readonly runDir: string;
  readonly onEvent?: (e: ClusterEvent) => void;
  /** Aborting stops the cluster (Ctrl-C); the result then says the job was interrupted. */
  readonly signal?: AbortSignal;
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
  // A previous run's final checkpoint must not pass for this run's.
  await rm(join(runDir, "final"), { recursive: true, force: true });
  const configFile = join(runDir, "config.json");
  // The job's identity: a coordinator restarted within this run resumes its saved progress;
  // a new `colony up` on the same store starts over.
  const jobId = `${started.toString(36)}-${process.pid}`;
  await writeFile(configFile, JSON.stringify({ ...config, jobId }, null, 2));

  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  const children: ActorProcess[] = [];
  let stopping = false;
  try {
    let url = config.nats.url;
    if (!url) {
      nats = await startNatsServer({ storeDir: join(runDir, "nats"), maxPayload: config.nats.maxPayload, logFile: join(runDir, "logs", "nats-server.log") });
      url = nats.url;
    }
    emit({ type: "nats.started", url, embedded: nats !== undefined });
    nc = await connect({ servers: url, name: `${config.cluster}/supervisor` });

    const outcome = new Promise<JobDone>((resolveOutcome) => {
      const fail = (error: string): void => resolveOutcome({
        v: 1, type: "job.done", ok: false, rowsTrained: 0, rowsRepeated: 0, durationMs: Date.now() - started, error,
      });
      nc!.subscribe(subjects.jobDone(config.cluster), {
        callback: (_err, msg) => {
          try {
            resolveOutcome(decodeMessage(msg.data, ["job.done"]));
          } catch (err) {
            emit({ type: "actor.error", id: "coordinator", line: `unreadable job.done: ${(err as Error).message}` });
          }
        },
      });
      nc!.subscribe(subjects.progress(config.cluster), {
        callback: (_err, msg) => {
          try {
            emit({ type: "progress", progress: decodeMessage(msg.data, ["job.progress"]) });
          } catch { /* a bad progress line is not worth stopping for */ }
        },
      });
      opts.signal?.addEventListener("abort", () => fail("interrupted"), { once: true });

      const spawnActor = (kind: "coordinator" | "shard" | "worker", id: string): void => {
        const child = new ActorProcess({
          id, kind, configFile, natsUrl: url!, runDir, logFile: join(runDir, "logs", `${id}.log`),
          onErrorLine: (line) => emit({ type: "actor.error", id, line }),
        });
        children.push(child);
        emit({ type: "actor.started", id, pid: child.pid });
        void child.exited.then((exit) => {
          if (stopping) return;
          emit({ type: "actor.crashed", id, exit, tail: child.tail() });
          fail(`${id} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); see ${join(runDir, "logs", `${id}.log`)}`);
        });
      };
      spawnActor("coordinator", "coordinator");
      for (let i = 0; i < config.shards.count; i++) spawnActor("shard", `shard-${i}`);
      for (let i = 0; i < config.workers.count; i++) spawnActor("worker", `worker-${i}`);
    });

    const done = await outcome;
    stopping = true;
    emit({ type: "stopping", reason: done.ok ? "job done" : (done.error ?? "job failed") });
    emit({ type: "job.done", done });
    return done;
  } finally {
    stopping = true;
    if (nc && !nc.isClosed()) {
      nc.publish(subjects.stop(config.cluster), encodeMessage({ v: 1, type: "ctl.stop", reason: "cluster stopping" }));
      await nc.flush().catch(() => undefined);
    }
    await Promise.all(children.map(async (c) => {
      // Children stop on ctl.stop by themselves; SIGTERM and SIGKILL are the fallbacks.
      const graceful = await Promise.race([c.exited.then(() => true), sleep(5000).then(() => false)]);
      if (!graceful) await c.stop(3000);
    }));
    await nc?.close().catch(() => undefined);
    await nats?.stop();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
