/**
 * Where partitions live, written in the two places that need it, in this order: first a
 * `log.map` entry in the update log (where ownership takes effect: every shard meets it
 * at the same sequence among the gradient entries, and the moving partitions change
 * hands there), then the KV map with that sequence (what workers route by, and how far
 * a shard must have read the log before it serves under it). Publications are chained:
 * one transition at a time, each retried with the same Nats-Msg-Id, so a retry never
 * appends a second entry.
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { encodeMessage, MAP_KEY, mapBucket, subjects, type LogMapChange, type PartitionMap } from "../../protocols/index.js";
import type { Counters } from "../runtime/counters.js";
import { readPartitionMap } from "../runtime/map-watch.js";

export class PartitionPlacement {
  readonly #nc: NatsConnection;
  readonly #cluster: string;
  readonly #jobId: string;
  readonly #log: Logger;
  readonly #counters: Counters;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(opts: { nc: NatsConnection; cluster: string; jobId: string; log: Logger; counters: Counters }) {
    this.#nc = opts.nc;
    this.#cluster = opts.cluster;
    this.#jobId = opts.jobId;
    this.#log = opts.log;
    this.#counters = opts.counters;
  }

  /** The current map of this job, or undefined when none is published. */
  async current(): Promise<PartitionMap | undefined> {
    const map = await readPartitionMap(this.#nc, this.#cluster);
    return map && map.jobId === this.#jobId ? map : undefined;
  }

  /** Makes `owners` the placement (log first, then KV); resolves with the new map. */
  publish(owners: readonly string[], reason: string): Promise<PartitionMap> {
    const next = this.#chain.then(() => this.#publish(owners, reason));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #publish(owners: readonly string[], reason: string): Promise<PartitionMap> {
    const previous = await this.current();
    const change: LogMapChange = { v: 1, type: "log.map", partitions: owners.length, owners: [...owners], reason };
    // Named by the map it replaces: a retried append of the same transition is dropped by the server.
    const msgID = `${this.#jobId}:map:${previous?.logSeq ?? 0}`;
    const ack = await jetstream(this.#nc).publish(subjects.logMap(this.#cluster), encodeMessage(change), { msgID, timeout: 10_000 });
    const kv = await new Kvm(this.#nc).open(mapBucket(this.#cluster));
    const map: Omit<PartitionMap, "epoch"> = { v: 1, type: "map", jobId: this.#jobId, partitions: owners.length, owners: [...owners], logSeq: ack.seq };
    const epoch = await kv.put(MAP_KEY, encodeMessage({ ...map, epoch: 0 }));
    this.#counters.inc("map.published");
    this.#log.info({ epoch, logSeq: ack.seq, reason, shards: [...new Set(owners)].sort() }, "partition map published");
    return { ...map, epoch };
  }
}
