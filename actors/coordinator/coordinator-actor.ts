/**
 * The coordinator process: membership (joins and heartbeats), the partition map in
 * JetStream KV, the task queue, job progress, and the end of the job (final checkpoint
 * written by every shard plus a manifest, then scored on the held-out file).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import { createActor, fromPromise } from "xstate";
import {
  ActorKind, encodeMessage, MAP_KEY, mapBucket, roundRobinMap, subjects,
  type ActorRef, type JobDone, type CheckpointPart,
} from "../../protocols/index.js";
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, cutTasks, denseDimOf, evaluateCheckpoint, fieldsOf,
  type CheckpointManifest, type CheckpointTable,
} from "../../train/index.js";
import { dataSpecOf } from "../runtime/actor-config.js";
import { hostActor, type ActorContext } from "../runtime/actor-host.js";
import { request } from "../runtime/request.js";
import { coordinatorMachine } from "./coordinator-machine.js";
import { TaskQueue } from "./task-queue.js";

/** A member is presumed dead, and its leases given back, after this long without a heartbeat. */
const MEMBER_TIMEOUT_MS = 5000;

interface Member { readonly ref: ActorRef; lastSeen: number; state: string; lost: boolean }

/** Runs the coordinator until it is told to stop. */
export async function runCoordinator(ctx: ActorContext): Promise<void> {
  const { config, nc, log, counters, mailbox, cluster, runDir } = ctx;
  const spec = dataSpecOf(config);
  const clock = { now: () => Date.now() };
  const started = clock.now();
  const members = new Map<string, Member>();
  let queue: TaskQueue | undefined;
  let lossSum = 0;
  let lossRows = 0;
  /** Mean loss of the tasks finished since the last progress report, or of the last ones that did. */
  let recentLoss = 0;

  const actor = createActor(coordinatorMachine.provide({
    actors: {
      prepare: fromPromise(async () => {
        await new Kvm(nc).create(mapBucket(cluster), { history: 16 });
        const tasks = await cutTasks(config.job.data.path, spec, config.job.data.rowsPerTask);
        queue = new TaskQueue(tasks, { epochs: config.job.epochs, leaseMs: config.job.leaseMs, clock });
        const s = queue.stats();
        log.info({ tasks: tasks.length, rows: s.rowsTotal / config.job.epochs, epochs: config.job.epochs }, "tasks cut");
      }),
      publishMap: fromPromise(async ({ input }) => {
        const kv = await new Kvm(nc).open(mapBucket(cluster));
        const map = roundRobinMap(0, config.partitions, input.shards);
        const epoch = await kv.put(MAP_KEY, encodeMessage(map));
        log.info({ epoch, partitions: map.partitions, shards: input.shards }, "partition map published");
      }),
      writeCheckpoint: fromPromise(async ({ input }) => writeFinalCheckpoint(input.shards)),
      evaluate: fromPromise(async ({ input }) => {
        const evalPath = config.job.data.eval;
        if (!evalPath) return undefined;
        const result = await evaluateCheckpoint(input.checkpoint, evalPath, { batch: 4096 });
        log.info(result, "held-out evaluation");
        return result;
      }),
    },
    actions: {
      reportDone: ({ context }) => {
        const s = queue?.stats();
        const done: JobDone = {
          v: 1, type: "job.done", ok: context.error === undefined,
          rowsTrained: s?.rowsDone ?? 0, rowsRepeated: s?.rowsRepeated ?? 0, durationMs: clock.now() - started,
          checkpoint: context.checkpoint, eval: context.eval, error: context.error,
        };
        if (context.error) log.error({ error: context.error }, "job failed");
        else log.info({ rows: done.rowsTrained, eval: done.eval, checkpoint: done.checkpoint }, "job done");
        nc.publish(subjects.jobDone(cluster), encodeMessage(done));
      },
    },
  }), { input: { shardsWanted: config.shards.count } });

  async function writeFinalCheckpoint(shards: readonly string[]): Promise<string> {
    const dir = join(runDir, "final");
    const replies = await Promise.all(shards.map((id) =>
      request(nc, subjects.checkpoint(cluster, id), { v: 1, type: "ps.checkpoint", dir }, ["ps.checkpointed"], { timeoutMs: 300_000 })));
    const tables = new Map<number, CheckpointTable>();
    for (const r of replies) {
      for (const p of r.parts as CheckpointPart[]) {
        const t = tables.get(p.table) ?? { table: p.table, dim: p.dim, stateWidth: p.stateWidth, parts: [] };
        t.parts.push({ shard: r.shardId, rows: p.rows, ids: p.ids, params: p.params, state: p.state });
        tables.set(p.table, t);
      }
    }
    const o = config.job.optimizer;
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, createdAt: new Date().toISOString(), cluster,
      model: { kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim },
      data: spec,
      optimizer: { kind: o.kind, lr: o.lr, eps: o.eps, beta1: o.beta1, beta2: o.beta2, initialAccumulator: o.initialAccumulator },
      partitions: config.partitions,
      rowsTrained: queue?.stats().rowsDone ?? 0,
      tables: [...tables.values()].sort((a, b) => a.table - b.table),
    };
    // The manifest is written last: a directory without one is an incomplete checkpoint.
    await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
    return dir;
  }

  const training = (): boolean => actor.getSnapshot().matches("training");

  mailbox.serve(subjects.join(cluster), ["ctl.join"], (m) => {
    const known = members.get(m.actor.id);
    members.set(m.actor.id, { ref: m.actor, lastSeen: clock.now(), state: "joined", lost: false });
    log.info({ member: m.actor.id, kind: m.actor.kind, pid: m.actor.pid, rejoin: known !== undefined }, "member joined");
    if (m.actor.kind === ActorKind.Shard) actor.send({ type: "SHARD_JOINED", shardId: m.actor.id });
    return { v: 1, type: "ctl.joined", accepted: true };
  });

  mailbox.serve(subjects.heartbeat(cluster), ["ctl.heartbeat"], (m) => {
    const member = members.get(m.actor.id) ?? { ref: m.actor, lastSeen: 0, state: "", lost: false };
    member.lastSeen = clock.now();
    member.state = m.state;
    member.lost = false;
    members.set(m.actor.id, member);
    if (m.leaseId) queue?.renew(m.leaseId);
    return undefined;
  });

  mailbox.serve(subjects.taskLease(cluster), ["task.lease"], (m) => {
    if (!queue || !training()) return { v: 1, type: "task.leased", finished: false, retryMs: 250 };
    const task = queue.lease(m.workerId);
    if (task) counters.inc("tasks.leased");
    return { v: 1, type: "task.leased", task, finished: queue.finished, retryMs: queue.finished ? 1000 : 200 };
  });

  mailbox.serve(subjects.taskDone(cluster), ["task.done"], (m) => {
    if (!queue) return { v: 1, type: "task.done.ack", accepted: false };
    const accepted = queue.complete(m.leaseId, m.rows);
    counters.inc(accepted ? "tasks.done" : "tasks.refused");
    if (accepted) {
      lossSum += m.lossSum;
      lossRows += m.rows;
    }
    if (queue.finished && training()) actor.send({ type: "TASKS_FINISHED" });
    return { v: 1, type: "task.done.ack", accepted };
  });

  let lastRows = 0;
  let lastAt = clock.now();
  let rate = 0;
  const tick = setInterval(() => {
    const now = clock.now();
    for (const m of members.values()) {
      if (m.lost || now - m.lastSeen < MEMBER_TIMEOUT_MS) continue;
      m.lost = true;
      const released = queue?.releaseWorker(m.ref.id) ?? 0;
      counters.inc("members.lost");
      log.warn({ member: m.ref.id, released }, "member lost (no heartbeat)");
    }
    if (!queue || !training()) return;
    queue.expire();
    const s = queue.stats();
    const dt = (now - lastAt) / 1000;
    if (lossRows > 0) {
      recentLoss = lossSum / lossRows;
      lossSum = 0;
      lossRows = 0;
    }
    const instant = dt > 0 ? (s.rowsDone - lastRows) / dt : 0;
    rate = rate === 0 ? instant : 0.7 * rate + 0.3 * instant;
    lastRows = s.rowsDone;
    lastAt = now;
    const workers = [...members.values()].filter((m) => m.ref.kind === ActorKind.Worker && !m.lost).length;
    nc.publish(subjects.progress(cluster), encodeMessage({
      v: 1, type: "job.progress", epoch: s.epoch, epochs: s.epochs, rowsDone: s.rowsDone, rowsTotal: s.rowsTotal,
      samplesPerSec: rate, loss: recentLoss, workers,
    }));
  }, 1000);

  actor.start();
  await hostActor(ctx, actor, { beforeClose: async () => clearInterval(tick) });
}
