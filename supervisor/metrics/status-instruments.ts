/**
 * The cluster's metrics as OpenTelemetry instruments, read from the status board: one
 * snapshot per collection feeds every observable gauge and counter, so a Prometheus
 * scrape and `colony status` report the same numbers. Counters that actors publish in
 * heartbeats (rows trained, bytes, rejected messages, …) become observable counters;
 * an actor restarted with fresh counters is seen as a counter reset, which the SDK
 * folds into a series that keeps rising. Latency histograms are not here: the API has
 * no asynchronous histogram (see heartbeat-histograms.ts).
 */
import type { Attributes, Meter, Observable } from "@opentelemetry/api";
import type { MemberStatus, StatusReply } from "../../protocols/index.js";

type Observe = (instrument: Observable, value: number, attributes?: Attributes) => void;

interface Gauge { readonly name: string; readonly description: string; readonly unit?: string; readonly read: (s: StatusReply, observe: (v: number, a?: Attributes) => void) => void }

/** Attributes naming one member. */
const who = (m: MemberStatus): Attributes => ({ actor: m.id, kind: m.kind });

/** Observes counter `key` of every member of `kind` that has it. */
const perMember = (kind: string | undefined, key: string) => (s: StatusReply, observe: (v: number, a?: Attributes) => void): void => {
  for (const m of s.members) {
    const v = m.counters[key];
    if ((kind === undefined || m.kind === kind) && v !== undefined) observe(v, who(m));
  }
};

/** Observes every `<prefix><suffix>` counter of every member, the suffix as attribute `label`. */
const perMemberFamily = (prefix: string, label: string) => (s: StatusReply, observe: (v: number, a?: Attributes) => void): void => {
  for (const m of s.members) {
    for (const [k, v] of Object.entries(m.counters)) {
      if (k.startsWith(prefix) && k.length > prefix.length) observe(v, { ...who(m), [label]: k.slice(prefix.length) });
    }
  }
};

const GAUGES: readonly Gauge[] = [
  { name: "colony_job_samples_per_second", description: "Training throughput over the last tasks, in samples per second.", unit: "1/s", read: (s, o) => { if (s.progress) o(s.progress.samplesPerSec); } },
  { name: "colony_job_loss", description: "Mean training loss of the tasks finished recently.", read: (s, o) => { if (s.progress) o(s.progress.loss); } },
  { name: "colony_job_rows_done", description: "Rows trained so far in this job.", read: (s, o) => { if (s.progress) o(s.progress.rowsDone); } },
  { name: "colony_job_rows_total", description: "Rows the job trains in all (rows per epoch × epochs).", read: (s, o) => { if (s.progress) o(s.progress.rowsTotal); } },
  { name: "colony_job_epoch", description: "Current pass over the data, from 0.", read: (s, o) => { if (s.progress) o(s.progress.epoch); } },
  {
    name: "colony_job_eval_auc", description: "ROC AUC of the live parameters on the held-out slice, at the coordinator's latest evaluation (observability.evalEveryMs).",
    read: (s, o) => { if (s.progress?.heldOut) o(s.progress.heldOut.auc); },
  },
  {
    name: "colony_job_eval_logloss", description: "Log loss of the live parameters on the held-out slice, at the coordinator's latest evaluation.",
    read: (s, o) => { if (s.progress?.heldOut) o(s.progress.heldOut.logloss); },
  },
  {
    name: "colony_job_eval_age_seconds", description: "Seconds since the latest held-out evaluation pulled its rows.", unit: "s",
    read: (s, o) => { if (s.progress?.heldOut) o(Math.max(0, Date.now() - s.progress.heldOut.at) / 1000); },
  },
  { name: "colony_workers_desired", description: "Worker count the cluster converges to.", read: (s, o) => o(s.desiredWorkers) },
  {
    name: "colony_members", description: "Actors by kind and machine state.", read: (s, o) => {
      const n = new Map<string, { kind: string; state: string; count: number }>();
      for (const m of s.members) {
        const k = `${m.kind}\u0000${m.state}`;
        n.set(k, { kind: m.kind, state: m.state, count: (n.get(k)?.count ?? 0) + 1 });
      }
      for (const e of n.values()) o(e.count, { kind: e.kind, state: e.state });
    },
  },
  { name: "colony_partition_map_epoch", description: "Epoch of the partition map in force.", read: (s, o) => o(s.mapEpoch) },
  { name: "colony_shard_partitions", description: "Partitions each shard owns in the current map.", read: (s, o) => { for (const [shard, n] of Object.entries(s.partitions)) o(n, { actor: shard, kind: "shard" }); } },
  { name: "colony_shard_rows_held", description: "Embedding rows a shard holds in memory.", read: perMember("shard", "rows.held") },
  {
    name: "colony_heartbeat_age_seconds", description: "Seconds since each actor's last heartbeat.", unit: "s",
    read: (s, o) => { for (const m of s.members) if (m.silentMs >= 0) o(m.silentMs / 1000, who(m)); },
  },
];

const COUNTERS: readonly Gauge[] = [
  { name: "colony_restarts", description: "Restarts of each actor by its supervisor.", read: (s, o) => { for (const m of s.members) o(m.restarts, who(m)); } },
  { name: "colony_rejected_messages", description: "Messages an actor could not use (malformed, wrong type or version, too big, …), by reason.", read: perMemberFamily("rejected.", "reason") },
  { name: "colony_messages_served", description: "Messages an actor's mailbox handled, by message type.", read: perMemberFamily("served.", "type") },
  {
    name: "colony_wire_bytes", description: "Bytes an actor's mailbox received (requests) and sent (replies).", unit: "By",
    read: (s, o) => {
      perMember(undefined, "bytes.in")(s, (v, a) => o(v, { ...a, direction: "in" }));
      perMember(undefined, "bytes.out")(s, (v, a) => o(v, { ...a, direction: "out" }));
    },
  },
  { name: "colony_worker_rows_trained", description: "Rows each worker has trained.", read: perMember("worker", "rows.trained") },
  { name: "colony_worker_batches", description: "Batches each worker has trained.", read: perMember("worker", "batches") },
  { name: "colony_shard_rows_pulled", description: "Rows each shard has served to pulls (its read load).", read: perMember("shard", "rows.pulled") },
  { name: "colony_shard_rows_applied", description: "Gradient rows each shard has applied (its write load).", read: perMember("shard", "rows.applied") },
  { name: "colony_shard_log_entries_applied", description: "Update-log entries (one partition's gradients of one push) each shard has applied.", read: perMember("shard", "log.applied") },
  { name: "colony_shard_log_duplicates", description: "Update-log entries a shard skipped as already applied (exactly-once at work).", read: perMember("shard", "log.duplicate") },
  { name: "colony_shard_log_replayed", description: "Update-log entries a shard replayed after loading a snapshot.", read: perMember("shard", "log.replayed") },
  { name: "colony_shard_handoffs_sent", description: "Partitions a shard has handed to another (live migration).", read: perMember("shard", "handoffs.sent") },
  { name: "colony_shard_handoffs_received", description: "Partitions a shard has taken over from another (live migration).", read: perMember("shard", "handoffs.received") },
  { name: "colony_rebalance_rounds", description: "Rebalance rounds the coordinator has run (automatic and operator), moving or not.", read: (s, o) => { if (s.progress?.rebalance) o(s.progress.rebalance.rounds); } },
  { name: "colony_rebalance_moves", description: "Partitions the rebalancer has moved between shards.", read: (s, o) => { if (s.progress?.rebalance) o(s.progress.rebalance.moves); } },
];

/** Names of every metric these instruments export, for docs and tests. */
export const STATUS_METRIC_NAMES: readonly string[] = [...GAUGES, ...COUNTERS].map((g) => g.name);

/** Registers the status-fed instruments on `meter`; `source` is called once per collection. */
export function registerStatusInstruments(meter: Meter, source: () => StatusReply): void {
  const gauges = GAUGES.map((g) => ({ g, i: meter.createObservableGauge(g.name, { description: g.description, unit: g.unit }) }));
  const counters = COUNTERS.map((g) => ({ g, i: meter.createObservableCounter(g.name, { description: g.description, unit: g.unit }) }));
  const all = [...gauges, ...counters];
  meter.addBatchObservableCallback((result) => {
    const s = source();
    const observe: Observe = (i, v, a) => result.observe(i, v, a);
    for (const { g, i } of all) g.read(s, (v, a) => observe(i, v, a));
  }, all.map((x) => x.i));
}
