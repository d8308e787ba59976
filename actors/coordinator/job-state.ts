/**
 * The coordinator's durable state in JetStream KV: task progress (so a restarted
 * coordinator resumes the job instead of starting over), the desired worker and shard
 * counts (which supervisors converge to), and which job the update log belongs to. Progress
 * writes are chained so they land in order; one that fails is logged and the next one
 * carries the newer state anyway.
 */
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { StateKey, stateBucket } from "../../protocols/index.js";
import type { TaskProgress } from "./task-queue.js";

interface SavedProgress extends TaskProgress { readonly jobId: string }

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class JobState {
  readonly #kv: KV;
  readonly #jobId: string;
  readonly #log: Logger;
  #writes: Promise<void> = Promise.resolve();

  private constructor(kv: KV, jobId: string, log: Logger) {
    this.#kv = kv;
    this.#jobId = jobId;
    this.#log = log;
  }

  /** Opens (creating if needed) the state bucket of a cluster. */
  static async open(nc: NatsConnection, cluster: string, jobId: string, log: Logger): Promise<JobState> {
    return new JobState(await new Kvm(nc).create(stateBucket(cluster), { history: 1 }), jobId, log);
  }

  /** Saved task progress of this job, or undefined (fresh job, or progress of another job). */
  async progress(): Promise<TaskProgress | undefined> {
    const e = await this.#kv.get(StateKey.Tasks);
    if (!e || e.operation !== "PUT") return undefined;
    const saved = JSON.parse(decoder.decode(e.value)) as SavedProgress;
    return saved.jobId === this.#jobId ? saved : undefined;
  }

  /** Records task progress (ordered after earlier writes). */
  saveProgress(p: TaskProgress): Promise<void> {
    const bytes = encoder.encode(JSON.stringify({ ...p, jobId: this.#jobId } satisfies SavedProgress));
    // Each write handles its own failure: a rejection left on the chain was unhandled, and
    // killed the coordinator when a put timed out during a NATS restart.
    this.#writes = this.#writes.then(() => this.#kv.put(StateKey.Tasks, bytes)).then(
      () => undefined,
      (err: unknown) => this.#log.warn({ err: (err as Error).message }, "saving task progress failed; the next save carries newer progress"),
    );
    return this.#writes;
  }

  /** The desired worker count, if one was recorded for this job. */
  async desiredWorkers(): Promise<number | undefined> {
    const e = await this.#kv.get(StateKey.Desired);
    if (!e || e.operation !== "PUT") return undefined;
    const d = JSON.parse(decoder.decode(e.value)) as { jobId: string; workers: number };
    return d.jobId === this.#jobId ? d.workers : undefined;
  }

  /** Records the desired worker count; supervisors watching the key converge to it. */
  async setDesiredWorkers(workers: number): Promise<void> {
    await this.#kv.put(StateKey.Desired, encoder.encode(JSON.stringify({ jobId: this.#jobId, workers })));
  }

  /** The desired shard count recorded for this job, or undefined when none was (the config's count holds). */
  async desiredShards(): Promise<number | undefined> {
    const e = await this.#kv.get(StateKey.DesiredShards);
    if (!e || e.operation !== "PUT") return undefined;
    const d = JSON.parse(decoder.decode(e.value)) as { jobId: string; shards: number };
    return d.jobId === this.#jobId ? d.shards : undefined;
  }

  /** Records the desired shard count; supervisors watching the key converge to it. */
  async setDesiredShards(shards: number): Promise<void> {
    await this.#kv.put(StateKey.DesiredShards, encoder.encode(JSON.stringify({ jobId: this.#jobId, shards })));
  }

  /** Whether this job's update log was already started empty (by an earlier incarnation of the coordinator). */
  async logOpened(): Promise<boolean> {
    const e = await this.#kv.get(StateKey.Log);
    if (!e || e.operation !== "PUT") return false;
    return (JSON.parse(decoder.decode(e.value)) as { jobId: string }).jobId === this.#jobId;
  }

  /** Records that this job's update log has been started. */
  async markLogOpened(): Promise<void> {
    await this.#kv.put(StateKey.Log, encoder.encode(JSON.stringify({ jobId: this.#jobId })));
  }

  /** Waits for every queued write. */
  async flush(): Promise<void> {
    await this.#writes;
  }
}
