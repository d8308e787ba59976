/**
 * The worker process: leases tasks, reads their rows, and for each batch pulls the
 * distinct rows it touches, computes forward and backward, and appends row-sparse
 * gradients to the partitions' update logs. It holds nothing durable: killing it loses at most the
 * task in hand, which the coordinator re-queues when the lease lapses.
 */
import { createActor, fromPromise } from "xstate";
import { subjects, type TaskSpec } from "../../protocols/index.js";
import { createModel, denseDimOf, fieldsOf, readTaskBatches } from "../../train/index.js";
import { dataSpecOf } from "../runtime/actor-config.js";
import { Failpoint, failpoint } from "../runtime/failpoints.js";
import { hostActor, type ActorContext } from "../runtime/actor-host.js";
import { recordLatency, STALENESS_HISTOGRAM } from "../runtime/latency-histogram.js";
import { watchPartitionMap } from "../runtime/map-watch.js";
import { request } from "../runtime/request.js";
import { ShardClient } from "../runtime/shard-client.js";
import { inPhaseSpan, inRootSpan, inStepSpan } from "./step-spans.js";
import { UpdateLogWriter } from "./update-log-writer.js";
import { workerMachine, type TrainedTask } from "./worker-machine.js";

/** Runs a worker until it is told to stop. */
export async function runWorker(ctx: ActorContext): Promise<void> {
  const { config, nc, log, counters, cluster, ref } = ctx;
  const spec = dataSpecOf(config);
  const model = createModel({
    kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim,
  });
  // A restarted worker starts its sequence at 0 again: each incarnation is its own
  // producer, or shards would drop its log entries as duplicates of its predecessor's.
  const producer = `${ref.id}.${process.pid}.${Date.now().toString(36)}`;
  const client = new ShardClient({
    nc, cluster, model, log, counters, pullTimeoutMs: config.job.pullTimeoutMs, maxPayload: ctx.maxPayload,
  });
  const updates = new UpdateLogWriter({
    nc, cluster, jobId: config.jobId, model, producer, partitions: config.partitions, log, counters,
    timeoutMs: config.job.pushTimeoutMs, maxPayload: ctx.maxPayload,
  });
  let leaseId: string | undefined;
  /** Rows of the leased task trained so far: given back with the lease when the worker leaves mid-task. */
  let rowsInTask = 0;
  // Logged once per incarnation: when a new or restarted worker became useful (operators and the elasticity benchmark read these).
  let leasedBefore = false;
  let pushedBefore = false;
  const dropTask = failpoint(Failpoint.WorkerDropTask);
  let tasksTaken = 0;

  /** Adds the time since `since` to the `time.<name>` total and the `<name>` latency histogram. */
  function timed(name: string, since: number): void {
    const ms = performance.now() - since;
    counters.inc(`time.${name}`, ms);
    recordLatency(counters, name, ms);
  }

  /** Trains every batch of one task; throws when stopped or when the model diverges. */
  async function trainTask(task: TaskSpec, signal: AbortSignal): Promise<TrainedTask> {
    let rows = 0;
    let lossSum = 0;
    if (++tasksTaken === dropTask) {
      log.error({ task: task.id, failpoint: Failpoint.WorkerDropTask }, "planted bug: reporting a task done without training it");
      return { rows: task.rows, lossSum: 0 };
    }
    const t0 = performance.now();
    let readStart = Date.now();
    // Sync mode: the task is one micro-batch, trained as one batch on the parameters of
    // the previous step's commit, its gradient weighted by its share of the step.
    const sync = task.sync;
    for await (const batch of readTaskBatches(task, spec, sync ? Math.max(1, task.rows) : config.job.batch)) {
      if (signal.aborted) throw new Error("stopped mid-task");
      const plan = model.plan(batch);
      const loss = await inStepSpan(readStart, { "colony.task": task.id, "colony.rows": batch.rows }, async () => {
        const stepStart = performance.now();
        let t = stepStart;
        const { params, readPosition } = await inPhaseSpan("pull", () => client.pull(plan, sync ? () => sync.after : (shard, map) => updates.lastSeqOwnedBy(map, shard)));
        timed("pull_ms", t);
        t = performance.now();
        const { loss, grads } = inPhaseSpan("compute", () => model.step(batch, plan, params));
        timed("compute_ms", t);
        if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at task ${task.id}: the model diverged; lower job.optimizer.lr`);
        t = performance.now();
        if (sync) for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * sync.weight;
        const origin = { epoch: task.epoch, task: task.id, row: task.rowStart + rows, rows: batch.rows };
        const firstSeq = await inPhaseSpan("push", () => updates.push(plan, grads, origin, sync));
        timed("push_ms", t);
        // Async staleness: log entries stored after the rows' read position and before this
        // push (docs/operations.md). Sync steps compute on a commit by design: not measured.
        if (!sync && readPosition !== undefined && firstSeq !== undefined) {
          recordLatency(counters, STALENESS_HISTOGRAM, Math.max(0, firstSeq - 1 - readPosition));
        }
        recordLatency(counters, "step_ms", performance.now() - stepStart);
        return loss;
      });
      if (!pushedBefore) {
        pushedBefore = true;
        log.info({ task: task.id, uptimeMs: Math.round(process.uptime() * 1000) }, "first batch pushed");
      }
      rows += batch.rows;
      rowsInTask = rows;
      lossSum += loss * batch.rows;
      counters.inc("rows.trained", batch.rows);
      counters.inc("batches");
      readStart = Date.now();
    }
    log.debug({ task: task.id, rows, ms: Math.round(performance.now() - t0) }, "task trained");
    return { rows, lossSum };
  }

  const actor = createActor(workerMachine.provide({
    actors: {
      join: fromPromise(async () => {
        const r = await request(nc, subjects.join(cluster), { v: 1, type: "ctl.join", actor: ref }, ["ctl.joined"], { timeoutMs: 2000 });
        if (!r.accepted) throw new Error(`join refused: ${r.reason ?? "no reason"}`);
      }),
      lease: fromPromise(async () => inRootSpan("lease", {}, () =>
        request(nc, subjects.taskLease(cluster), { v: 1, type: "task.lease", workerId: ref.id }, ["task.leased"], { timeoutMs: 5000 }))),
      train: fromPromise(async ({ input: task, signal }) => {
        leaseId = task.leaseId;
        rowsInTask = 0;
        if (!leasedBefore) {
          leasedBefore = true;
          log.info({ task: task.id, uptimeMs: Math.round(process.uptime() * 1000) }, "first task leased");
        }
        try {
          return await trainTask(task, signal);
        } catch (err) {
          leaseId = undefined;
          counters.inc("tasks.failed");
          log.warn({ task: task.id, err }, "task failed; leasing again");
          throw err;
        }
      }),

      report: fromPromise(async ({ input }) => {
        const r = await request(nc, subjects.taskDone(cluster), {
          v: 1, type: "task.done", workerId: ref.id, taskId: input.task.id, leaseId: input.task.leaseId,
          rows: input.trained.rows, lossSum: input.trained.lossSum,
        }, ["task.done.ack"], { timeoutMs: 5000 });
        leaseId = undefined;
        if (!r.accepted) log.warn({ task: input.task.id }, "task completion refused: its lease had lapsed");
      }),
    },
  }));

  const watching = new AbortController();
  const watch = watchPartitionMap({ nc, cluster, jobId: config.jobId, log, counters, signal: watching.signal, onMap: (m) => client.setMap(m) });
  actor.start();
  await hostActor(ctx, actor, {
    leaseId: () => leaseId,
    beforeClose: async () => {
      // Scale-down or shutdown mid-task: give the lease back so the task is re-queued now,
      // not when the lease would have lapsed.
      if (leaseId) {
        const lease = leaseId;
        leaseId = undefined;
        await request(nc, subjects.taskRelease(cluster), { v: 1, type: "task.release", workerId: ref.id, leaseId: lease, rows: rowsInTask },
          ["task.released"], { timeoutMs: 2000 })
          .then((r) => log.info({ lease, rows: rowsInTask, accepted: r.accepted }, "task lease given back"))
          .catch((err: unknown) => log.warn({ err, lease }, "could not give the task lease back; it will lapse"));
      }
      watching.abort();
      await watch;
      updates.close();
    },
  });
}
