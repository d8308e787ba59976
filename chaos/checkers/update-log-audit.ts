/**
 * The exactly-once check: replays a job's whole update log, in stream order, into a
 * fresh parameter store through the same UpdateLogApplier a shard uses, and compares every row, bitwise, with the job's final
 * checkpoint. A live shard applies a partition's entries in stream order too, so any
 * entry applied twice, skipped, or applied out of order across crashes and replays
 * shows up as a row that differs. Rows the checkpoint holds that no entry touched
 * (created by a pull whose push never came) must still be their initial values.
 *
 * Needs the whole log: run the job with `shards.purgeLog: false`.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Counters, ParameterStore, type ActorConfig } from "../../actors/index.js";
import { PartitionLedger } from "../../actors/shard/partition-ledger.js";
import { UpdateLogApplier } from "../../actors/shard/update-log-applier.js";
import { dataSpecOf } from "../../actors/runtime/actor-config.js";
import { logStream, partitionOfLogSubject, subjects, type BatchOrigin } from "../../protocols/index.js";
import { readSortedTable } from "../../train/checkpoint/index.js";
import { createModel, createOptimizer, denseDimOf, fieldsOf, readManifest } from "../../train/index.js";

/** What the audit found. */
export interface UpdateLogAudit {
  /**
   * Gradient entries in the log (not commits or marks); async entries applied on
   * arrival; sync steps applied at their commit; entries dropped as duplicates, replays
   * or stale micro-batches; messages that were malformed.
   */
  readonly entries: number;
  readonly applied: number;
  readonly steps: number;
  readonly duplicates: number;
  readonly malformed: number;
  /** Rows the replay produced, and how many of them differ from the checkpoint (or are missing there). */
  readonly rows: number;
  readonly mismatched: number;
  /** Checkpoint rows no entry touched, and how many of those are not at their initial values. */
  readonly untouched: number;
  readonly untouchedChanged: number;
  /** The first differences, for the report. */
  readonly examples: readonly string[];
  /**
   * The data batches whose gradients went into the parameters, once per application: a
   * batch trained again by another worker incarnation (async, after a crash) appears
   * again; in sync mode a micro-batch is applied once whoever computed it.
   */
  readonly batches: readonly BatchOrigin[];
  /** Applied entries that carried no batch origin (written by an older worker). */
  readonly unattributed: number;
}

const sameBits = (a: Float32Array, b: Float32Array): boolean => {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
};

/** Replays the run's update log and compares it with the checkpoint in `checkpointDir`. */
export async function auditUpdateLog(opts: { nc: NatsConnection; runDir: string; checkpointDir: string }): Promise<UpdateLogAudit> {
  const config = JSON.parse(await readFile(join(opts.runDir, "config.json"), "utf8")) as ActorConfig;
  const spec = dataSpecOf(config);
  const model = createModel({
    kind: config.job.model, seed: config.seed, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim,
  });
  const optimizer = createOptimizer(config.job.optimizer);
  const store = new ParameterStore(model, optimizer);
  const counters = new Counters();
  const batches = new Map<string, BatchOrigin>();
  let unattributed = 0;
  const applier = new UpdateLogApplier({
    store, ledger: new PartitionLedger(), commitSubject: subjects.logCommit(config.cluster),
    owns: () => true, partitions: () => config.partitions, counters,
    onApplied: (u) => {
      const b = u.batch;
      if (!b) {
        unattributed++;
        return;
      }
      // One batch is several entries (one per partition): count the application once.
      const key = `${u.step === undefined ? u.producer : "sync"}|${b.epoch}|${b.task}|${b.row}`;
      if (!batches.has(key)) batches.set(key, b);
    },
  });

  const jsm = await jetstreamManager(opts.nc);
  const last = (await jsm.streams.info(logStream(config.cluster))).state.last_seq;
  let entries = 0;
  let malformed = 0;
  if (last > 0) {
    const consumer = await jetstream(opts.nc).consumers.get(logStream(config.cluster), {
      filter_subjects: subjects.logAll(config.cluster), deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 512 });
    for await (const m of messages) {
      if (partitionOfLogSubject(m.subject) >= 0) entries++;
      try {
        applier.take(m.subject, m.seq, m.data);
      } catch {
        malformed++;
      }
      if (m.seq >= last || m.info.pending === 0) break;
    }
    messages.stop();
  }

  const manifest = await readManifest(opts.checkpointDir);
  const replayed = new Map(store.exportRows().map((t) => [t.table, t]));
  const examples: string[] = [];
  let rows = 0;
  let mismatched = 0;
  let untouched = 0;
  let untouchedChanged = 0;
  for (const t of manifest.tables) {
    const saved = await readSortedTable(opts.checkpointDir, t);
    const index = new Map<number, number>();
    saved.ids.forEach((id, i) => index.set(id, i));
    const mine = replayed.get(t.table);
    const seen = new Set<number>();
    const dim = saved.dim;
    const sw = saved.stateWidth;
    for (let i = 0; i < (mine?.ids.length ?? 0); i++) {
      const id = mine!.ids[i]!;
      seen.add(id);
      rows++;
      const at = index.get(id);
      const same = at !== undefined
        && sameBits(mine!.params.subarray(i * dim, (i + 1) * dim), saved.params.subarray(at * dim, (at + 1) * dim))
        && sameBits(mine!.state.subarray(i * sw, (i + 1) * sw), saved.state.subarray(at * sw, (at + 1) * sw));
      if (!same) {
        mismatched++;
        if (examples.length < 5) examples.push(`table ${t.table} id ${id}: ${at === undefined ? "missing from the checkpoint" : "differs"}`);
      }
    }
    const init = new Float32Array(dim + sw);
    for (let at = 0; at < saved.ids.length; at++) {
      const id = saved.ids[at]!;
      if (seen.has(id)) continue;
      untouched++;
      model.initRow(t.table, id, init, 0);
      optimizer.initState(init, dim, dim);
      const atInit = sameBits(init.subarray(0, dim), saved.params.subarray(at * dim, (at + 1) * dim))
        && sameBits(init.subarray(dim), saved.state.subarray(at * sw, (at + 1) * sw));
      if (!atInit) {
        untouchedChanged++;
        if (examples.length < 5) examples.push(`table ${t.table} id ${id}: changed, though no log entry touched it`);
      }
    }
  }
  const duplicates = counters.get("log.duplicate") + counters.get("log.seen") + counters.get("log.stale");
  const applied = counters.get("log.applied");
  const steps = counters.get("steps.applied");
  return {
    entries, applied, steps, duplicates, malformed, rows, mismatched, untouched, untouchedChanged, examples, batches: [...batches.values()], unattributed,
  };
}
