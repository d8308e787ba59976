/**
 * The parameter-shard process: holds the rows of the partitions the map gives it, reads
 * their update logs and applies every entry once with the configured optimizer, serves
 * batched pulls once caught up with the log, snapshots its rows (and purges the log
 * entries a snapshot covers), and writes its part of a checkpoint on request. Which
 * partitions it owns is read from the log itself (`log.map` entries; a moving partition
 * is handed over at its entry, see update-log-reader.ts), so ownership and applied
 * entries never disagree. It answers a key it does not own with a redirect
 * (NotOwnerError carrying the current epoch), never with wrong data. It counts every
 * pull served and push applied per partition and publishes the decayed rates and its
 * hottest keys (`ps.load`) about once a second.
 */
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { createActor, fromPromise } from "xstate";
import {
  encodeMessage, NotOwnerError, NotReadyError, partitionOf, PULL_ATTEMPT_MS, subjects, tensor, type PartitionMap,
} from "../../protocols/index.js";
import { createModel, createOptimizer, denseDimOf, fieldsOf } from "../../train/index.js";
import { dataSpecOf } from "../runtime/actor-config.js";
import { hostActor, stateOf, type ActorContext } from "../runtime/actor-host.js";
import { watchPartitionMap } from "../runtime/map-watch.js";
import { request } from "../runtime/request.js";
import { purgeLogBelow } from "../runtime/update-log.js";
import { AccessAccounting } from "./access-accounting.js";
import { ParameterStore } from "./parameter-store.js";
import { PartitionLedger, type LedgerRecord } from "./partition-ledger.js";
import { shardMachine } from "./shard-machine.js";
import { ShardSnapshots } from "./shard-snapshots.js";
import { HandoffStore } from "../runtime/handoff-store.js";
import { loadResumedRows } from "./resumed-rows.js";
import { UpdateLogReader } from "./update-log-reader.js";

/** Runs a shard until it is told to stop. */
export async function runShard(ctx: ActorContext): Promise<void> {
  const { config, nc, log, counters, mailbox, cluster, ref } = ctx;
  const spec = dataSpecOf(config);
  const model = createModel({
    kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim,
  });
  const store = new ParameterStore(model, createOptimizer(config.job.optimizer));

  // A restarted shard starts from its latest snapshot and reads the log on from that cut.
  const snapshots = new ShardSnapshots({ dir: join(ctx.runDir, "shards", ref.id), shardId: ref.id, jobId: config.jobId, log });
  const restored = await snapshots.restore(store);
  const ledger = restored?.ledger ?? new PartitionLedger();
  if (restored) {
    counters.inc("snapshots.restored");
    log.info({ rows: restored.rows, createdAt: restored.createdAt, position: ledger.position }, "rows restored from the latest snapshot");
  }

  let map: PartitionMap | undefined;
  let dirty = false;
  let resumedLoaded = false;
  const accounting = new AccessAccounting({ partitions: config.partitions, halfLifeMs: config.shards.loadHalfLifeMs });
  /** Owners as the log has set them so far; the KV map only before the log named any. */
  const owners = (): readonly string[] | undefined => ledger.owners ?? map?.owners;
  const owned = (): number[] => (owners() ?? []).flatMap((o, p) => (o === ref.id ? [p] : []));
  const reader = new UpdateLogReader({
    nc, cluster, store, ledger, log, counters, accounting,
    owns: (p) => owners()?.[p] === ref.id,
    partitions: () => map?.partitions ?? config.partitions,
    self: ref.id, handoffs: new HandoffStore({ nc, cluster, jobId: config.jobId }),
  });
  reader.onApplied = () => { dirty = true; };

  const actor = createActor(shardMachine.provide({
    actors: {
      join: fromPromise(async () => {
        const r = await request(nc, subjects.join(cluster), { v: 1, type: "ctl.join", actor: ref }, ["ctl.joined"], { timeoutMs: 2000 });
        if (!r.accepted) throw new Error(`join refused: ${r.reason ?? "no reason"}`);
      }),
      catchUp: fromPromise(async ({ signal }) => {
        // A resumed job: rows come from the checkpoint, once, before the log is read (the
        // log of a resumed job starts empty, so nothing in it predates these rows).
        if (!restored && config.resumeFrom && !resumedLoaded && map) {
          const t = performance.now();
          const rows = await loadResumedRows(store, config.resumeFrom, map, ref.id);
          resumedLoaded = true;
          dirty = true;
          counters.set("rows.held", store.size);
          log.info({ checkpoint: config.resumeFrom, rows, ms: Math.round(performance.now() - t) }, "rows loaded from the checkpoint to resume from");
        }
        const t0 = performance.now();
        const from = ledger.position;
        const applied = counters.get("log.applied");
        if (!reader.started) await reader.start();
        await reader.caughtUp(signal);
        const replayed = counters.get("log.applied") - applied;
        counters.inc("log.replayed", replayed);
        log.info({ from, to: ledger.position, replayed, ms: Math.round(performance.now() - t0) }, "caught up with the update log");
      }),
    },
  }));

  const servingMap = (): PartitionMap => {
    const s = actor.getSnapshot();
    if (!s.matches("serving") || !s.context.map) throw new NotReadyError(`shard ${ref.id}`);
    return s.context.map;
  };
  /** Refuses keys whose partition the log does not give this shard now. */
  const checkOwnership = (m: PartitionMap, tables: Uint32Array, ids: Uint32Array): void => {
    const current = owners() ?? [];
    for (let i = 0; i < tables.length; i++) {
      const p = partitionOf(tables[i]!, ids[i]!, m.partitions);
      if (current[p] !== ref.id) {
        counters.inc("redirects");
        throw new NotOwnerError(p, m.epoch);
      }
    }
  };
  /** Resolves once the KV map has reached `epoch` (a worker routed with a map this shard has not seen yet), or after `ms`. */
  const mapReached = async (epoch: number, ms: number): Promise<void> => {
    const until = performance.now() + ms;
    while ((map?.epoch ?? -1) < epoch && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
  };

  /** Bytes of one row of a table as pulled (f32 params). */
  const rowBytes = (table: number): number => store.dimOf(table) * 4;

  // Malformed requests are rejected before routing is looked at: a bad message is counted
  // as rejected whichever shard it reached.
  // A pull waits until this shard has read the log as far as the worker's own last push.
  mailbox.serve(subjects.pull(cluster, ref.id), ["ps.pull"], async (m) => {
    store.floatsOf(m.tables);
    if (servingMap().epoch < m.epoch) await mapReached(m.epoch, 200);
    // Serve under a map only once the log has been read to where it took effect, and to
    // the worker's own last push. Answer "not ready" before the worker's attempt times
    // out, so it retries at once.
    const readTo = Math.max(m.after, servingMap().logSeq ?? 0);
    if (ledger.position < readTo) await reader.reached(readTo, Math.min(config.job.pullTimeoutMs, PULL_ATTEMPT_MS) * 0.8);
    const current = servingMap();
    checkOwnership(current, m.tables, m.ids);
    const rows = store.gather(m.tables, m.ids);
    accounting.recordPull(m.tables, m.ids, rowBytes);
    counters.inc("rows.pulled", m.tables.length);
    counters.set("rows.held", store.size);
    // The log position these rows reflect: workers measure their staleness against it.
    return { v: 1, type: "ps.rows", epoch: current.epoch, rows: tensor(rows), position: ledger.position };
  });

  // Every entry appended before the request is applied before the rows are written: the
  // coordinator asks only once every task's pushes are in the log.
  mailbox.serve(subjects.checkpoint(cluster, ref.id), ["ps.checkpoint"], async (m) => {
    servingMap();
    await reader.caughtUp();
    const parts = await store.writeCheckpoint(m.dir, ref.id);
    log.info({ dir: m.dir, rows: store.size, bytes: store.byteLength(), logPosition: ledger.position }, "checkpoint part written");
    return { v: 1, type: "ps.checkpointed", shardId: ref.id, parts };
  });

  const jsm = await jetstreamManager(nc);
  /** Drops the log entries of our partitions that the snapshot `cut` covers. */
  const purgeCovered = async (cut: LedgerRecord): Promise<void> => {
    if (!map || config.shards.purgeLog !== true) return;
    const ownedAtCut = (cut.owners ?? map.owners).flatMap((o, p) => (o === ref.id ? [p] : []));
    const purged = await Promise.all(ownedAtCut.map((p) => purgeLogBelow(jsm, cluster, p, cut.position + 1)));
    counters.inc("log.purged", purged.reduce((a, b) => a + b, 0));
  };
  const snapshotTimer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    snapshots.save(store, () => reader.cut()).then(
      async (cut) => {
        if (!cut) return;
        counters.inc("snapshots.written");
        await purgeCovered(cut).catch((err: unknown) => log.warn({ err }, "purging the update log failed; the next snapshot tries again"));
      },
      (err: unknown) => { dirty = true; log.warn({ err }, "snapshot failed; the previous one stays the latest"); },
    );
  }, config.shards.snapshotMs ?? 5000);

  // Load reports go out only while serving: before, the rates say nothing about this map.
  const loadTimer = setInterval(() => {
    const snapshot = actor.getSnapshot();
    if (nc.isClosed() || !map || stateOf(snapshot) !== "serving") return;
    nc.publish(subjects.load(cluster), encodeMessage(accounting.report(ref.id, map.epoch, owned())));
    counters.inc("load.reports");
  }, config.shards.loadReportMs ?? 1000);

  const watching = new AbortController();
  const watch = watchPartitionMap({
    nc, cluster, jobId: config.jobId, log, counters, signal: watching.signal,
    onMap: (m) => {
      log.info({ epoch: m.epoch, owned: m.owners.filter((o) => o === ref.id).length }, "partition map");
      map = m;
      actor.send({ type: "MAP", map: m });
    },
  });

  actor.start();
  await hostActor(ctx, actor, {
    beforeClose: async () => {
      clearInterval(snapshotTimer);
      clearInterval(loadTimer);
      await reader.stop();
      watching.abort();
      await watch;
    },
  });
}
