/**
 * The root supervisor's picture of its cluster: every actor's last heartbeat (state,
 * counters), the job's progress, the partition map, restarts and recent events, and
 * the shards' latest load reports (rows/s and hottest keys). It
 * answers `ctl.status` requests with it, and tells the supervisor which children have
 * gone silent (alive but not heartbeating: stopped, stalled) so they can be replaced.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  decodeMessage, encodeMessage, errorReply, subjects,
  type AgentStatus, type LoadReport, type MemberStatus, type PartitionMap, type Progress, type ShardLoadStatus, type StatusReply,
} from "../protocols/index.js";
import type { PartitionLoadPoint } from "./metrics/index.js";

/** A shard report older than this says nothing about a partition's load now (several report intervals missed). */
const REPORT_FRESH_MS = 10_000;

/**
 * Every partition's load from reports received at most REPORT_FRESH_MS before `now`;
 * where two shards report a partition (after a move), the later measurement wins.
 */
export function latestPartitionLoad(reports: readonly { readonly report: LoadReport; readonly receivedAt: number }[], now: number): PartitionLoadPoint[] {
  const byPartition = new Map<number, PartitionLoadPoint & { at: number }>();
  for (const { report: r, receivedAt } of reports) {
    if (now - receivedAt > REPORT_FRESH_MS) continue;
    r.load.partitions.forEach((p, i) => {
      const seen = byPartition.get(p);
      if (seen && seen.at >= r.at) return;
      byPartition.set(p, { partition: p, shardId: r.shardId, pullRowsPerSec: r.load.pullRows[i]!, pushRowsPerSec: r.load.pushRows[i]!, at: r.at });
    });
  }
  return [...byPartition.values()].sort((a, b) => a.partition - b.partition).map(({ at: _at, ...p }) => p);
}

interface Seen { kind: string; state: string; pid: number; host: string; lastSeen: number; counters: Record<string, number> }

/** What the supervisor knows of one of its children. */
export interface ChildInfo { readonly id: string; readonly kind: string; readonly pid: number; readonly restarts: number; readonly startedAt: number }

/** The agents and the children they report (each with the agent's id as its host). */
export interface AgentView { readonly agents: AgentStatus[]; readonly children: (ChildInfo & { readonly host: string })[] }

export class ClusterStatusBoard {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #info: { natsUrl: string; runDir: string };
  readonly #started = Date.now();
  readonly #seen = new Map<string, Seen>();
  readonly #loads = new Map<string, { report: LoadReport; receivedAt: number }>();
  readonly #events: string[] = [];
  readonly #subs: Subscription[] = [];
  #progress: Progress | undefined;
  #map: PartitionMap | undefined;
  #children: () => ChildInfo[] = () => [];
  #agents: () => AgentView = () => ({ agents: [], children: [] });
  #desiredWorkers = 0;

  constructor(nc: NatsConnection, cluster: string, info: { natsUrl: string; runDir: string }) {
    this.#nc = nc;
    this.#cluster = cluster;
    this.#info = info;
    this.#subs.push(nc.subscribe(subjects.heartbeat(cluster), {
      callback: (_e, msg) => {
        try {
          const h = decodeMessage(msg.data, ["ctl.heartbeat"]);
          this.#seen.set(h.actor.id, { kind: h.actor.kind, state: h.state, pid: h.actor.pid, host: h.actor.host, lastSeen: Date.now(), counters: h.counters });
        } catch { /* the coordinator counts bad heartbeats; the board just ignores them */ }
      },
    }));
    this.#subs.push(nc.subscribe(subjects.load(cluster), {
      callback: (_e, msg) => {
        try {
          const r = decodeMessage(msg.data, ["ps.load"]);
          this.#loads.set(r.shardId, { report: r, receivedAt: Date.now() });
        } catch { /* the coordinator counts bad reports; the board just ignores them */ }
      },
    }));
    this.#subs.push(nc.subscribe(subjects.status(cluster), {
      callback: (_e, msg) => {
        try {
          decodeMessage(msg.data, ["ctl.status"]);
          msg.respond(encodeMessage(this.snapshot()));
        } catch (err) {
          msg.respond(encodeMessage(errorReply(err)));
        }
      },
    }));
  }

  /** Where the supervisor's children come from (ids, pids, restarts). */
  setChildren(source: () => ChildInfo[]): void {
    this.#children = source;
  }

  /** Where the agents and their children come from (`colony agent`); their children are listed as members, not checked for silence here. */
  setAgents(source: () => AgentView): void {
    this.#agents = source;
  }

  setProgress(p: Progress): void {
    this.#progress = p;
  }

  setMap(map: PartitionMap): void {
    this.#map = map;
  }

  setDesiredWorkers(n: number): void {
    this.#desiredWorkers = n;
  }

  /** Remembers a line for `colony status` (restarts, scale events, failures); keeps the last 50. */
  event(text: string): void {
    const line = `${new Date().toISOString()} ${text}`;
    this.#events.push(line.length > 4000 ? `${line.slice(0, 3999)}…` : line);
    if (this.#events.length > 50) this.#events.shift();
  }

  /** Children that have sent no heartbeat for `timeoutMs`, counting from their (re)start. */
  silent(timeoutMs: number, now = Date.now()): ChildInfo[] {
    return this.#children().filter((c) => {
      const s = this.#seen.get(c.id);
      const last = s && s.pid === c.pid ? s.lastSeen : c.startedAt;
      return now - last > timeoutMs;
    });
  }

  snapshot(): StatusReply {
    const now = Date.now();
    const children = this.#children();
    const agents = this.#agents();
    // An agent's child has the agent's id as its host before its first heartbeat says so.
    const members: MemberStatus[] = [...children.map((c) => ({ ...c, host: "" })), ...agents.children].map((c) => {
      const s = this.#seen.get(c.id);
      const current = s !== undefined && s.pid === c.pid;
      return {
        id: c.id, kind: c.kind, pid: c.pid, restarts: c.restarts,
        state: current ? s.state : "starting", host: current ? s.host : c.host,
        silentMs: current ? now - s.lastSeen : -1, counters: current ? s.counters : {},
      };
    });
    const partitions: Record<string, number> = {};
    for (const o of this.#map?.owners ?? []) partitions[o] = (partitions[o] ?? 0) + 1;
    return {
      v: 1, type: "ctl.status.reply", cluster: this.#cluster, natsUrl: this.#info.natsUrl, runDir: this.#info.runDir,
      supervisorPid: process.pid, uptimeMs: now - this.#started, desiredWorkers: this.#desiredWorkers, members,
      progress: this.#progress, partitions, mapEpoch: this.#map?.epoch ?? 0,
      restarts: [...children, ...agents.children].reduce((n, c) => n + c.restarts, 0), events: [...this.#events],
      ...(this.#loads.size > 0 ? { shardLoad: this.#shardLoad(now) } : {}),
      ...(agents.agents.length > 0 ? { agents: agents.agents } : {}),
    };
  }

  /**
   * Every partition's load from the shards' reports of the last REPORT_FRESH_MS (a newer
   * report of a partition wins, as after a move): the per-partition gauges' source.
   */
  partitionLoad(now = Date.now()): PartitionLoadPoint[] {
    return latestPartitionLoad([...this.#loads.values()], now);
  }

  /** Each reporting shard's totals and its five hottest keys; reports of shards gone for a minute are dropped. */
  #shardLoad(now: number): ShardLoadStatus[] {
    const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
    const out: ShardLoadStatus[] = [];
    for (const [id, { report: r, receivedAt }] of [...this.#loads].sort(([a], [b]) => a.localeCompare(b))) {
      if (now - receivedAt > 60_000) {
        this.#loads.delete(id);
        continue;
      }
      out.push({
        shardId: id, pullRowsPerSec: sum(r.load.pullRows), pushRowsPerSec: sum(r.load.pushRows),
        bytesPerSec: sum(r.load.pullBytes) + sum(r.load.pushBytes), partitions: r.load.partitions.length, reportAgeMs: now - receivedAt,
        hotKeys: r.hotKeys.slice(0, 5).map(({ table, id: key, partition, rate }) => ({ table, id: key, partition, rate })),
      });
    }
    return out;
  }

  close(): void {
    for (const s of this.#subs) s.unsubscribe();
  }
}
