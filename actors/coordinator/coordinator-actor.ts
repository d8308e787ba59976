/**
 * The coordinator process: membership (joins and heartbeats), the partition map in
 * JetStream KV, the task queue, job progress, the shards' load reports (and the
 * rebalance plan it would run on them, for `colony rebalance --dry-run`), periodic scores
 * of the live parameters on a held-out slice (observability.evalEveryMs, published with
 * the progress), and the end of the job (final checkpoint written by every shard plus a
 * manifest, then scored on the whole held-out file).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { createActor, fromPromise } from "xstate";
import {
  ActorKind, commitMsgId, encodeMessage, mapBucket, NotReadyError, roundRobinMap, subjects, type MessageOf,
  type ActorRef, type HeldOutEval, type JobDone, type CheckpointPart,
} from "../../protocols/index.js";
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, createModel, cutTasks, denseDimOf, evaluateCheckpoint, fieldsOf,
  type CheckpointManifest, type CheckpointTable, type JobProgress,
} from "../../train/index.js";
import { dataSpecOf, microBatchesOf, rowsPerTaskOf } from "../runtime/actor-config.js";
import { hostActor, stateOf, type ActorContext } from "../runtime/actor-host.js";
import { watchPartitionMap } from "../runtime/map-watch.js";
import { request } from "../runtime/request.js";
import { openUpdateLog } from "../runtime/update-log.js";
import { coordinatorMachine } from "./coordinator-machine.js";
import { HeldOutEvaluator } from "./held-out-evaluator.js";
import { JobState } from "./job-state.js";
import { PartitionPlacement } from "./partition-placement.js";
import { servePlacement } from "./placement-requests.js";
import { StalenessGate } from "./staleness-gate.js";
import { resumedProgress } from "./resumed-progress.js";
import { TaskQueue, type TaskProgress } from "./task-queue.js";

/** Times the final checkpoint asks a shard that is not ready yet (about two minutes in all). */
const CHECKPOINT_ATTEMPTS = 64;

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
  let state: JobState | undefined;
  let lossSum = 0;
  let lossRows = 0;
  /** Mean loss of the tasks finished since the last progress report, or of the last ones that did. */
  let recentLoss = 0;

  const sync = config.job.mode === "sync";
  // ssp: leases wait while a worker is more than `staleness` tasks ahead of the slowest.
  const gate = config.job.mode === "ssp" ? new StalenessGate(config.job.staleness ?? 2) : undefined;
  const microBatches = microBatchesOf(config);
  const js = jetstream(nc);
  const placement = new PartitionPlacement({ nc, cluster, jobId: config.jobId, log, counters });
  let committing: Promise<void> | undefined;
  /**
   * Sync mode: appends the commit of the sealed step to the update log (the same message
   * id if a predecessor already did), then opens the next step with its log sequence.
   */
  const commitSealedStep = (): Promise<void> => (committing ??= (async () => {
    try {
      for (let step = queue?.sealedStep; queue && step !== undefined; step = queue.sealedStep) {
        const ack = await js.publish(subjects.logCommit(cluster), encodeMessage({ v: 1, type: "log.commit", step, micros: microBatches }),
          { msgID: commitMsgId(config.jobId, step), timeout: 10_000 });
        queue.commit(ack.seq);
        counters.inc("steps.committed");
        log.debug({ step, seq: ack.seq }, "sync step committed");
        await state?.saveProgress(queue.progress());
      }
      if (queue?.finished && training()) actor.send({ type: "TASKS_FINISHED" });
    } finally {
      committing = undefined;
    }
  })());

  const actor = createActor(coordinatorMachine.provide({
    actors: {
      prepare: fromPromise(async () => {
        await new Kvm(nc).create(mapBucket(cluster), { history: 16 });
        state = await JobState.open(nc, cluster, config.jobId, log);
        // A restarted coordinator waits for the shards an operator scaled to, not the config's.
        const shardsRecorded = await state.desiredShards();
        shardScaling.attach(state, shardsRecorded);
        if (shardsRecorded !== undefined) actor.send({ type: "SHARDS_WANTED", shards: shardsRecorded });
        const tasks = await cutTasks(config.job.data.path, spec, rowsPerTaskOf(config));
        // A restarted coordinator resumes its own job's progress; a resumed job starts
        // from the checkpoint's (its update log is new: no sync commit to wait after).
        const restore = (await state.progress()) ?? (config.resumeFrom ? await resumedProgress(config.resumeFrom) : undefined);
        // A new job starts with an empty update log; a restarted coordinator keeps what the
        // shards still need.
        const fresh = !(await state.logOpened());
        await openUpdateLog(nc, cluster, { fresh });
        if (fresh) await state.markLogOpened();
        queue = new TaskQueue(tasks, {
          epochs: config.job.epochs, leaseMs: config.job.leaseMs, clock, restore, leasePrefix: `${process.pid.toString(36)}${clock.now().toString(36)}`,
          ...(sync ? { microBatches } : {}),
        });
        // A predecessor may have sealed a step and died before committing it.
        if (queue.sealedStep !== undefined) await commitSealedStep();
        if ((await state.desiredWorkers()) === undefined) await state.setDesiredWorkers(config.workers.count);
        const s = queue.stats();
        log.info({ tasks: tasks.length, rows: s.rowsTotal / config.job.epochs, epochs: config.job.epochs, resumed: restore !== undefined, rowsDone: s.rowsDone }, "tasks ready");
      }),
      publishMap: fromPromise(async ({ input }) => {
        // A restarted coordinator keeps the map its shards already serve (partitions may
        // have moved since the first one: any map of this job over live shards is kept).
        const current = await placement.current();
        if (current && current.partitions === config.partitions && current.logSeq !== undefined && current.owners.every((o) => input.shards.includes(o))) {
          log.info({ epoch: current.epoch, shards: [...new Set(current.owners)].sort() }, "partition map kept");
          return;
        }
        await placement.publish(roundRobinMap(0, config.partitions, input.shards, config.jobId).owners, "initial placement");
      }),
      // The shards that own partitions now: partitions may have moved since the first map.
      writeCheckpoint: fromPromise(async ({ input }) => {
        const map = await placement.current();
        return writeFinalCheckpoint(map ? [...new Set(map.owners)].sort() : input.shards);
      }),
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
          checkpoint: context.checkpoint, eval: context.eval, error: context.error, endedEarly: finishedEarly,
        };
        if (finishedEarly) log.info({ reason: finishedEarly, rows: done.rowsTrained }, "job ended early on request");
        if (context.error) log.error({ error: context.error }, "job failed");
        else log.info({ rows: done.rowsTrained, eval: done.eval, checkpoint: done.checkpoint, ssp: gate?.stats() }, "job done");
        nc.publish(subjects.jobDone(cluster), encodeMessage(done));
      },
    },
  }), { input: { shardsWanted: config.shards.count } });

  const pick = (p: TaskProgress): Omit<JobProgress, "mode"> => ({ tasks: p.tasks, epoch: p.epoch, done: p.done, rowsDone: p.rowsDone, rowsRepeated: p.rowsRepeated });

  async function writeFinalCheckpoint(shards: readonly string[]): Promise<string> {
    const dir = join(runDir, "final");
    // A shard still catching up with the log (just restarted, or loading the rows of a
    // resumed job that has nothing left to train) says "not ready": ask again shortly.
    const checkpointOf = async (id: string): Promise<MessageOf<"ps.checkpointed">> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(nc, subjects.checkpoint(cluster, id), { v: 1, type: "ps.checkpoint", dir }, ["ps.checkpointed"], { timeoutMs: 300_000 });
        } catch (err) {
          if (!(err instanceof NotReadyError) || attempt >= CHECKPOINT_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        }
      }
    };
    const replies = await Promise.all(shards.map(checkpointOf));
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
      progress: queue && { mode: config.job.mode, ...pick(queue.progress()) },
    };
    // The manifest is written last: a directory without one is an incomplete checkpoint.
    await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
    return dir;
  }

  const training = (): boolean => actor.getSnapshot().matches("training");
  /** Why the job ended before every task was trained, when it did. */
  let finishedEarly: string | undefined;

  mailbox.serve(subjects.join(cluster), ["ctl.join"], (m) => {
    const known = members.get(m.actor.id);
    // A restarted actor keeps its id: whatever its previous incarnation held is lost.
    if (known && known.ref.pid !== m.actor.pid) {
      const released = queue?.releaseWorker(m.actor.id) ?? 0;
      if (released > 0) log.info({ member: m.actor.id, released }, "leases of a previous incarnation re-queued");
    }
    members.set(m.actor.id, { ref: m.actor, lastSeen: clock.now(), state: "joined", lost: false });
    log.info({ member: m.actor.id, kind: m.actor.kind, pid: m.actor.pid, rejoin: known !== undefined }, "member joined");
    if (m.actor.kind === ActorKind.Shard) actor.send({ type: "SHARD_JOINED", shardId: m.actor.id });
    if (m.actor.kind === ActorKind.Worker) gate?.join(m.actor.id);
    return { v: 1, type: "ctl.joined", accepted: true };
  });

  mailbox.serve(subjects.heartbeat(cluster), ["ctl.heartbeat"], (m) => {
    const known = members.get(m.actor.id);
    // A shard that joined a coordinator before this one restarted is known by its heartbeats.
    if (!known && m.actor.kind === ActorKind.Shard) actor.send({ type: "SHARD_JOINED", shardId: m.actor.id });
    const member = known ?? { ref: m.actor, lastSeen: 0, state: "", lost: false };
    member.lastSeen = clock.now();
    member.state = m.state;
    member.lost = false;
    members.set(m.actor.id, member);
    if (m.leaseId) queue?.renew(m.leaseId);
    return undefined;
  });

  mailbox.serve(subjects.taskLease(cluster), ["task.lease"], (m) => {
    if (!queue || !training()) return { v: 1, type: "task.leased", finished: false, retryMs: 250 };
    if (gate && !gate.mayLease(m.workerId)) {
      counters.inc("ssp.waits");
      return { v: 1, type: "task.leased", finished: queue.finished, retryMs: 25 };
    }
    const task = queue.lease(m.workerId);
    if (task) counters.inc("tasks.leased");
    return { v: 1, type: "task.leased", task, finished: queue.finished, retryMs: queue.finished ? 1000 : 200 };
  });

  mailbox.serve(subjects.taskDone(cluster), ["task.done"], (m) => {
    if (!queue) return { v: 1, type: "task.done.ack", accepted: false };
    const accepted = queue.complete(m.leaseId, m.rows);
    counters.inc(accepted ? "tasks.done" : "tasks.refused");
    if (accepted) {
      gate?.completed(m.workerId);
      lossSum += m.lossSum;
      lossRows += m.rows;
    }
    void state?.saveProgress(queue.progress());
    if (queue.sealedStep !== undefined) void commitSealedStep().catch((err: unknown) => log.error({ err }, "committing a sync step failed; retrying on the next report"));
    if (queue.finished && training()) actor.send({ type: "TASKS_FINISHED" });
    return { v: 1, type: "task.done.ack", accepted };
  });

  mailbox.serve(subjects.taskRelease(cluster), ["task.release"], (m) => {
    const accepted = queue?.release(m.leaseId, m.rows) ?? false;
    // A worker gives its lease back when it leaves: it must not hold the others back.
    gate?.leave(m.workerId);
    counters.inc(accepted ? "tasks.released" : "tasks.release_refused");
    log.info({ worker: m.workerId, lease: m.leaseId, rows: m.rows, accepted }, "task lease given back");
    if (queue) void state?.saveProgress(queue.progress());
    return { v: 1, type: "task.released", accepted };
  });

  mailbox.serve(subjects.scale(cluster), ["ctl.scale"], async (m) => {
    if (!state) return { v: 1, type: "ctl.scaled", accepted: false, workers: m.workers, reason: "the coordinator is still starting; retry" };
    await state.setDesiredWorkers(m.workers);
    counters.inc("scale.requests");
    log.info({ workers: m.workers }, "desired worker count recorded");
    return { v: 1, type: "ctl.scaled", accepted: true, workers: m.workers };
  });

  mailbox.serve(subjects.finish(cluster), ["ctl.finish"], (m) => {
    if (!training()) return { v: 1, type: "ctl.finished", accepted: false, reason: `the job is not training (${stateOf(actor.getSnapshot())})` };
    log.info({ reason: m.reason }, "finishing the job early");
    finishedEarly = m.reason;
    actor.send({ type: "TASKS_FINISHED" });
    return { v: 1, type: "ctl.finished", accepted: true };
  });

  // Load reports, the rebalancer, shard scaling and their operator requests.
  const { rebalancer, shardScaling } = servePlacement({
    ctx, placement, clock, training,
    stateLabel: () => stateOf(actor.getSnapshot()),
    serving: () => [...members.values()].filter((x) => x.ref.kind === ActorKind.Shard && !x.lost && x.state === "serving").map((x) => x.ref.id),
    live: () => [...members.values()].filter((x) => x.ref.kind === ActorKind.Shard && !x.lost).map((x) => x.ref.id),
  });

  const heldOut = startHeldOutEvaluations();

  let lastRows = 0;
  let lastAt = clock.now();
  let rate = 0;
  const tick = setInterval(() => {
    const now = clock.now();
    for (const m of members.values()) {
      if (m.lost || now - m.lastSeen < MEMBER_TIMEOUT_MS) continue;
      m.lost = true;
      const released = queue?.releaseWorker(m.ref.id) ?? 0;
      gate?.leave(m.ref.id);
      counters.inc("members.lost");
      log.warn({ member: m.ref.id, released }, "member lost (no heartbeat)");
    }
    if (!queue || !training()) return;
    queue.expire();
    rebalancer.tick();
    // A queue that was finished when restored (a resumed or restarted job with nothing
    // left to train) hears no completion that would end the job: end it here.
    if (queue.finished) actor.send({ type: "TASKS_FINISHED" });
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
      samplesPerSec: rate, loss: recentLoss, workers, ...(heldOut.latest ? { heldOut: heldOut.latest } : {}),
      ...(rebalancer.summary() ? { rebalance: rebalancer.summary() } : {}),
    }));
  }, 1000);

  /**
   * Every evalEveryMs while training, scores the live parameters on the held-out slice
   * (held-out-evaluator.ts). A failed evaluation (a shard restarting, a pull timing out)
   * is counted and the next one tries again; a slice that cannot be scored turns
   * evaluations off for this job. Never blocks training: the coordinator only reads.
   */
  function startHeldOutEvaluations(): { readonly latest: HeldOutEval | undefined; stop(): void } {
    const everyMs = config.observability?.evalEveryMs ?? 0;
    const path = config.job.data.eval;
    const stopping = new AbortController();
    const handle = { latest: undefined as HeldOutEval | undefined, stop: () => stopping.abort() };
    if (everyMs <= 0) return handle;
    if (!path) {
      log.warn("observability.evalEveryMs is set but job.data.eval is not: no held-out evaluation");
      return handle;
    }
    const model = createModel({
      kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim,
    });
    const sleep = (ms: number): Promise<void> => new Promise((r) => {
      const t = setTimeout(r, ms);
      stopping.signal.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true });
    });
    void (async () => {
      const evaluator = await HeldOutEvaluator.open({
        nc, cluster, model, spec, path, rows: config.observability?.evalRows ?? 2048, log, counters,
        pullTimeoutMs: config.job.pullTimeoutMs, maxPayload: ctx.maxPayload,
      });
      void watchPartitionMap({ nc, cluster, jobId: config.jobId, log, counters, signal: stopping.signal, onMap: (m) => evaluator.setMap(m) });
      log.info({ rows: evaluator.rows, everyMs, path }, "held-out evaluation on");
      let failures = 0;
      while (!stopping.signal.aborted) {
        await sleep(everyMs);
        if (stopping.signal.aborted || !queue || !training()) continue;
        try {
          const t0 = performance.now();
          handle.latest = await evaluator.evaluate(queue.stats().rowsDone, clock);
          counters.inc("eval.done");
          counters.inc("time.eval_ms", performance.now() - t0);
          log.info({ ...handle.latest, ms: Math.round(performance.now() - t0) }, "held-out evaluation (live parameters)");
          failures = 0;
        } catch (err) {
          counters.inc("eval.failed");
          // The first failure of a run of them is worth a warning; the rest only at debug.
          if (failures++ === 0) log.warn({ err }, "held-out evaluation failed; trying again next interval");
          else log.debug({ err, failures }, "held-out evaluation failed again");
        }
      }
    })().catch((err: unknown) => log.error({ err }, "held-out evaluation is off for this job"));
    return handle;
  }

  actor.start();
  await hostActor(ctx, actor, {
    beforeClose: async () => {
      clearInterval(tick);
      // An evaluation in flight is abandoned, not awaited: it only reads.
      heldOut.stop();
      await state?.flush();
    },
  });
}
