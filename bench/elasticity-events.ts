/**
 * The events the elasticity benchmark times, each done to a running cluster the way an
 * operator or a fault would do it, and each timed from log lines, never from when the
 * benchmark happened to notice: the benchmark's own clock at the command or signal,
 * then the root supervisor's lines (`actor crashed`, `actor unresponsive; killing it`,
 * `actor restarting`, `actor started`) and the new incarnation's own lines (`first task
 * leased`, `first batch pushed`; a shard's `state` line into `serving`). All processes
 * run on one machine, so their epoch-millisecond clocks agree.
 */
import type { StatusReply } from "../protocols/index.js";
import { BenchStepError } from "./bench-errors.js";
import type { ElasticCluster } from "./elastic-cluster.js";
import { waitForRecord } from "./log-lines.js";
import { outputTail } from "./subprocess.js";

/** Training rate around an event, from the workers' heartbeats (rows/s; rough over short windows). */
export interface RateAround {
  /** Over the 5 s before the event. */
  readonly before: number | undefined;
  /** From the event until the new or replacement worker's first push (the whole cluster's rate). */
  readonly during: number | undefined;
  /** Rows the cluster would have trained over `during` at the `before` rate, minus what it did; 0 when it did as well. */
  readonly rowsLost: number | undefined;
}

/** `colony scale workers=N+1`: the new worker from command to first push. */
export interface ScaleUpSample {
  readonly from: number;
  readonly to: number;
  readonly worker: string;
  /** Wall time of the `colony scale` command itself (spawn to exit). */
  readonly commandMs: number;
  /** Command start → the supervisor saw the new desired count in KV (its `scaling workers` line). */
  readonly recordedMs: number;
  /** Command start → the supervisor started the new worker's process. */
  readonly startedMs: number;
  /** Command start → the new worker's process had loaded and connected to NATS (its `actor started` line). */
  readonly readyMs: number;
  /** Command start → the new worker holds its first task lease. */
  readonly leaseMs: number;
  /** Command start → the new worker pushed its first batch of gradients. */
  readonly pushMs: number;
  readonly rate: RateAround;
}

/** `colony scale workers=N-1`: the leaving worker gives its lease back and exits. */
export interface ScaleDownSample {
  readonly from: number;
  readonly to: number;
  readonly worker: string;
  readonly commandMs: number;
  /** Command start → the leaving worker logged that it stopped (lease given back first). */
  readonly stoppedMs: number;
  /** True when the leaving worker logged giving its task lease back. */
  readonly leaseReturned: boolean;
}

/** kill -9 or SIGSTOP of a worker: from the signal to the replacement's first push. */
export interface WorkerFaultSample {
  readonly worker: string;
  readonly signal: "SIGKILL" | "SIGSTOP";
  /** Signal → the supervisor saw it: the exit (SIGKILL) or the heartbeat timeout (SIGSTOP). */
  readonly detectedMs: number;
  /** The restart delay the supervisor chose (backoff with jitter). */
  readonly backoffMs: number;
  /** Signal → the replacement process was started. */
  readonly startedMs: number;
  /** Signal → the replacement had loaded and connected to NATS (its `actor started` line). */
  readonly readyMs: number;
  readonly leaseMs: number;
  readonly pushMs: number;
  readonly rate: RateAround;
}

/** kill -9 of a shard: from the signal to the restarted shard serving, and the workers training again. */
export interface ShardKillSample {
  readonly shard: string;
  readonly detectedMs: number;
  readonly backoffMs: number;
  readonly startedMs: number;
  /** Signal → the new shard's machine entered `serving` (snapshot restored, map received). */
  readonly servingMs: number;
  /** Rows the new shard restored from its latest snapshot (0 when there was none). */
  readonly rowsRestored: number;
  /** Signal → the workers' summed rows trained grew again (heartbeat resolution, ±1 s). */
  readonly trainingAgainMs: number | undefined;
}

const EVENT_TIMEOUT_MS = 60_000;
const RATE_WINDOW_MS = 5_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const member = (s: StatusReply, id: string) => {
  const m = s.members.find((x) => x.id === id);
  if (m === undefined) throw new BenchStepError("elasticity", null, "", `${id} is not in the cluster's status`);
  return m;
};

/** Scales to one more worker and times the new one until its first push. */
export async function scaleUp(c: ElasticCluster, from: number): Promise<ScaleUpSample> {
  const worker = `worker-${from}`;
  const cmd = await c.colony(["scale", `workers=${from + 1}`, "--cluster", c.name]);
  if (cmd.output.exitCode !== 0) throw new BenchStepError("colony scale", cmd.output.exitCode, outputTail(cmd.output), "refused");
  const t0 = cmd.startedAt;
  const recorded = await waitForRecord(`the supervisor logging 'scaling workers' to ${from + 1}`, c.supervisor,
    (r) => r.msg === "scaling workers" && r.fields["workers"] === from + 1 && r.time >= t0, { timeoutMs: EVENT_TIMEOUT_MS });
  const started = await c.waitForSupervisor("actor started", worker, t0, EVENT_TIMEOUT_MS);
  const pid = Number(started.fields["childPid"]);
  const ready = await c.actors.waitFor(worker, pid, "actor started", EVENT_TIMEOUT_MS);
  const lease = await c.actors.waitFor(worker, pid, "first task leased", EVENT_TIMEOUT_MS);
  const push = await c.actors.waitFor(worker, pid, "first batch pushed", EVENT_TIMEOUT_MS);
  return {
    from, to: from + 1, worker, commandMs: cmd.endedAt - cmd.startedAt,
    recordedMs: recorded.time - t0, startedMs: started.time - t0, readyMs: ready.time - t0, leaseMs: lease.time - t0, pushMs: push.time - t0,
    rate: await rateAround(c, t0, push.time),
  };
}

/** Scales to one worker fewer and times the leaving (highest-numbered) worker until it has stopped. */
export async function scaleDown(c: ElasticCluster, from: number): Promise<ScaleDownSample> {
  const worker = `worker-${from - 1}`;
  const pid = member(await c.status(), worker).pid;
  const cmd = await c.colony(["scale", `workers=${from - 1}`, "--cluster", c.name]);
  if (cmd.output.exitCode !== 0) throw new BenchStepError("colony scale", cmd.output.exitCode, outputTail(cmd.output), "refused");
  const stopped = await c.actors.waitFor(worker, pid, "actor stopped", EVENT_TIMEOUT_MS);
  const book = await c.actors.refresh(worker);
  const leaseReturned = book.find((r) => r.fields["pid"] === pid && r.msg === "task lease given back") !== undefined;
  return { from, to: from - 1, worker, commandMs: cmd.endedAt - cmd.startedAt, stoppedMs: stopped.time - cmd.startedAt, leaseReturned };
}

/** Sends `signal` to a training worker and times its replacement until its first push. */
export async function faultWorker(c: ElasticCluster, worker: string, signal: "SIGKILL" | "SIGSTOP"): Promise<WorkerFaultSample> {
  const victim = member(await c.status(), worker).pid;
  const t0 = Date.now();
  process.kill(victim, signal);
  try {
    const detected = signal === "SIGKILL"
      ? await c.waitForSupervisor("actor crashed", worker, t0, EVENT_TIMEOUT_MS)
      : await c.waitForSupervisor("actor unresponsive; killing it", worker, t0, EVENT_TIMEOUT_MS);
    const restarting = await c.waitForSupervisor("actor restarting", worker, t0, EVENT_TIMEOUT_MS);
    const started = await c.waitForSupervisor("actor started", worker, t0, EVENT_TIMEOUT_MS, (r) => r.fields["childPid"] !== victim);
    const pid = Number(started.fields["childPid"]);
    const ready = await c.actors.waitFor(worker, pid, "actor started", EVENT_TIMEOUT_MS);
    const lease = await c.actors.waitFor(worker, pid, "first task leased", EVENT_TIMEOUT_MS);
    const push = await c.actors.waitFor(worker, pid, "first batch pushed", EVENT_TIMEOUT_MS);
    return {
      worker, signal, detectedMs: detected.time - t0, backoffMs: Number(restarting.fields["delayMs"]),
      startedMs: started.time - t0, readyMs: ready.time - t0, leaseMs: lease.time - t0, pushMs: push.time - t0,
      rate: await rateAround(c, t0, push.time),
    };
  } finally {
    // A stopped process the supervisor failed to kill must not outlive the benchmark.
    if (signal === "SIGSTOP") killQuietly(victim);
  }
}

/** Kills a shard with SIGKILL and times it until it serves again and the workers train again. */
export async function killShard(c: ElasticCluster, shard: string): Promise<ShardKillSample> {
  const victim = member(await c.status(), shard).pid;
  const t0 = Date.now();
  process.kill(victim, "SIGKILL");
  const detected = await c.waitForSupervisor("actor crashed", shard, t0, EVENT_TIMEOUT_MS);
  const restarting = await c.waitForSupervisor("actor restarting", shard, t0, EVENT_TIMEOUT_MS);
  const started = await c.waitForSupervisor("actor started", shard, t0, EVENT_TIMEOUT_MS, (r) => r.fields["childPid"] !== victim);
  const pid = Number(started.fields["childPid"]);
  const serving = await c.actors.waitFor(shard, pid, "state", EVENT_TIMEOUT_MS, (r) => r.fields["to"] === "serving");
  const restored = (await c.actors.refresh(shard)).find((r) => r.fields["pid"] === pid && r.msg === "rows restored from the latest snapshot");
  const again = await waitForGrowth(c, Math.max(serving.time, t0), EVENT_TIMEOUT_MS / 3);
  return {
    shard, detectedMs: detected.time - t0, backoffMs: Number(restarting.fields["delayMs"]),
    startedMs: started.time - t0, servingMs: serving.time - t0,
    rowsRestored: Number(restored?.fields["rows"] ?? 0), trainingAgainMs: again === undefined ? undefined : again - t0,
  };
}

/** The cluster's training rate before an event and until `recovered`. */
async function rateAround(c: ElasticCluster, t0: number, recovered: number): Promise<RateAround> {
  await waitForSamplesPast(c, recovered + 1000);
  const before = c.rows.rate(t0 - RATE_WINDOW_MS, t0);
  const during = c.rows.rate(t0, recovered);
  const rowsLost = before === undefined || during === undefined ? undefined : Math.max(0, ((before - during) * (recovered - t0)) / 1000);
  return { before, during, rowsLost };
}

/** Waits until the workers' rows trained grow past their count at `t` (undefined after timeoutMs). */
async function waitForGrowth(c: ElasticCluster, t: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const again = c.rows.firstGrowthAfter(t);
    if (again !== undefined || Date.now() > deadline) return again;
    await sleep(200);
  }
}

/** Waits (at most 5 s) until a heartbeat later than `t` has arrived, so rates up to `t` can be read. */
async function waitForSamplesPast(c: ElasticCluster, t: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((c.rows.lastSampleAt ?? 0) <= t && Date.now() < deadline) await sleep(200);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone: what the supervisor was meant to do.
  }
}
