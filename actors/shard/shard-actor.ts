/**
 * The parameter-shard process: holds the rows of the partitions the map gives it,
 * serves batched pulls, applies pushes with the configured optimizer, and writes its
 * part of a checkpoint on request. It answers a key it does not own with a redirect
 * (NotOwnerError carrying the current epoch), never with wrong data, and applies a
 * given (producer, seq) push at most once.
 */
import { join } from "node:path";
import { createActor, fromPromise } from "xstate";
import {
  NotOwnerError, NotReadyError, partitionOf, subjects, tensor, type PartitionMap,
} from "../../protocols/index.js";
import { createModel, createOptimizer, denseDimOf, fieldsOf } from "../../train/index.js";
import { dataSpecOf } from "../runtime/actor-config.js";
import { hostActor, type ActorContext } from "../runtime/actor-host.js";
import { watchPartitionMap } from "../runtime/map-watch.js";
import { request } from "../runtime/request.js";
import { ParameterStore } from "./parameter-store.js";
import { shardMachine } from "./shard-machine.js";
import { ShardSnapshots } from "./shard-snapshots.js";

/** Runs a shard until it is told to stop. */
export async function runShard(ctx: ActorContext): Promise<void> {
  const { config, nc, log, counters, mailbox, cluster, ref } = ctx;
  const spec = dataSpecOf(config);
  const model = createModel({
    kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim,
  });
  const store = new ParameterStore(model, createOptimizer(config.job.optimizer));
  /** Highest push sequence applied per producer: a retried push is acknowledged, not re-applied. */
  const appliedSeq = new Map<string, number>();

  const actor = createActor(shardMachine.provide({
    actors: {
      join: fromPromise(async () => {
        const r = await request(nc, subjects.join(cluster), { v: 1, type: "ctl.join", actor: ref }, ["ctl.joined"], { timeoutMs: 2000 });
        if (!r.accepted) throw new Error(`join refused: ${r.reason ?? "no reason"}`);
      }),
    },
  }));

  const servingMap = (): PartitionMap => {
    const s = actor.getSnapshot();
    if (!s.matches("serving") || !s.context.map) throw new NotReadyError(`shard ${ref.id}`);
    return s.context.map;
  };
  const checkOwnership = (map: PartitionMap, tables: Uint32Array, ids: Uint32Array): void => {
    for (let i = 0; i < tables.length; i++) {
      const p = partitionOf(tables[i]!, ids[i]!, map.partitions);
      if (map.owners[p] !== ref.id) {
        counters.inc("redirects");
        throw new NotOwnerError(p, map.epoch);
      }
    }
  };

  // Malformed requests are rejected before routing is looked at: a bad message is counted
  // as rejected whichever shard it reached.
  mailbox.serve(subjects.pull(cluster, ref.id), ["ps.pull"], (m) => {
    store.floatsOf(m.tables);
    const map = servingMap();
    checkOwnership(map, m.tables, m.ids);
    const rows = store.gather(m.tables, m.ids);
    counters.inc("rows.pulled", m.tables.length);
    counters.set("rows.held", store.size);
    return { v: 1, type: "ps.rows", epoch: map.epoch, rows: tensor(rows) };
  });

  mailbox.serve(subjects.push(cluster, ref.id), ["ps.push"], (m) => {
    store.checkGradients(m.tables, m.grads);
    const map = servingMap();
    checkOwnership(map, m.tables, m.ids);
    const last = appliedSeq.get(m.producer) ?? -1;
    if (m.seq <= last) {
      counters.inc("pushes.duplicate");
      return { v: 1, type: "ps.push.ack", applied: 0, duplicate: true };
    }
    const applied = store.apply(m.tables, m.ids, m.grads);
    appliedSeq.set(m.producer, m.seq);
    dirty = true;
    counters.inc("pushes.applied");
    counters.inc("rows.applied", applied);
    counters.set("rows.held", store.size);
    return { v: 1, type: "ps.push.ack", applied, duplicate: false };
  });

  mailbox.serve(subjects.checkpoint(cluster, ref.id), ["ps.checkpoint"], async (m) => {
    servingMap();
    const parts = await store.writeCheckpoint(m.dir, ref.id);
    log.info({ dir: m.dir, rows: store.size, bytes: store.byteLength() }, "checkpoint part written");
    return { v: 1, type: "ps.checkpointed", shardId: ref.id, parts };
  });

  const snapshots = new ShardSnapshots({ dir: join(ctx.runDir, "shards", ref.id), shardId: ref.id, jobId: config.jobId, log });
  const restored = await snapshots.restore(store, appliedSeq);
  if (restored) {
    counters.inc("snapshots.restored");
    log.info(restored, "rows restored from the latest snapshot");
  }
  let dirty = false;
  const snapshotTimer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    snapshots.save(store, appliedSeq).then(
      (saved) => { if (saved) counters.inc("snapshots.written"); },
      (err: unknown) => { dirty = true; log.warn({ err }, "snapshot failed; the previous one stays the latest"); },
    );
  }, config.shards.snapshotMs ?? 5000);

  const watching = new AbortController();
  const watch = watchPartitionMap({
    nc, cluster, log, counters, signal: watching.signal,
    onMap: (map) => {
      log.info({ epoch: map.epoch, owned: map.owners.filter((o) => o === ref.id).length }, "partition map");
      actor.send({ type: "MAP", map });
    },
  });

  actor.start();
  await hostActor(ctx, actor, {
    beforeClose: async () => {
      clearInterval(snapshotTimer);
      watching.abort();
      await watch;
    },
  });
}
