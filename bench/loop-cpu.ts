/**
 * CPU seconds a cluster spends per row trained inside its training loop. At every worker
 * heartbeat the bench reads the CPU time of the whole `colony up` process tree
 * (process-tree-cpu.ts) and keeps the worker's rows trained; afterwards the loop window
 * runs from the first snapshot at which some rows were trained to the last one before
 * every worker had reached its final count, so start-up (process and module loading,
 * NATS, task cutting) and the end (checkpoint, final evaluation, shutdown) are left out.
 * Rows at a snapshot are each worker's count interpolated between its own heartbeats,
 * which keeps the error at each end of the window under one batch per worker.
 */
import type { ActorCounters } from "./colony-run.js";
import { ProcessRole, type ProcessTreeCpu, type TreeCpu } from "./process-tree-cpu.js";

/** The tree's CPU time at one moment (ms on the bench's clock). */
export interface CpuSnapshot { readonly t: number; readonly cpu: TreeCpu }
/** One worker heartbeat: when it arrived and the rows that worker had trained. */
export interface WorkerBeat { readonly t: number; readonly rows: number }

/** CPU used by the cluster inside the training loop, or why it can't be told. */
export type LoopCpu =
  | {
      readonly available: true;
      /** The window, in ms on the bench's clock (performance.now()). */
      readonly from: number;
      readonly to: number;
      /** Wall seconds of the window. */
      readonly seconds: number;
      readonly rows: number;
      readonly cpuSeconds: number;
      /** CPU seconds in the window by role (a restarted actor's time goes to its parent, the supervisor). */
      readonly cpuSecondsByRole: Readonly<Record<ProcessRole, number>>;
      /** Cores busy on average: cpuSeconds / seconds. */
      readonly coresBusy: number;
    }
  | { readonly available: false; readonly reason: string };

/** A worker's rows trained at time t, linear between its heartbeats, held flat outside them; 0 with no beats. */
export function rowsAt(beats: readonly WorkerBeat[], t: number): number {
  const first = beats[0];
  const last = beats.at(-1);
  if (first === undefined || last === undefined) return 0;
  if (t <= first.t) return first.rows;
  if (t >= last.t) return last.rows;
  let i = 0;
  while (beats[i + 1]!.t <= t) i++;
  const a = beats[i]!;
  const b = beats[i + 1]!;
  return b.t === a.t ? b.rows : a.rows + ((b.rows - a.rows) * (t - a.t)) / (b.t - a.t);
}

/**
 * The loop window's CPU and rows from the snapshots and each worker's heartbeats, cut to
 * [within.from, within.to] when given (the part two runs side by side have in common);
 * pure, exported for tests.
 */
export function loopCpu(
  snapshots: readonly CpuSnapshot[],
  beatsByWorker: ReadonlyMap<string, readonly WorkerBeat[]>,
  within?: { readonly from: number; readonly to: number },
): LoopCpu {
  const workers = [...beatsByWorker.values()];
  if (workers.length === 0) return { available: false, reason: "no worker heartbeats" };
  if (workers.some((beats) => beats.some((b, i) => i > 0 && b.rows < beats[i - 1]!.rows))) {
    return { available: false, reason: "a worker's rows went back (restarted): its rows before the restart are not in its count" };
  }
  const total = (t: number): number => workers.reduce((n, beats) => n + rowsAt(beats, t), 0);
  // Each worker reaches its final count at its first beat showing it; the loop is over when the last one has.
  const loopEnd = Math.max(...workers.map((beats) => beats.find((b) => b.rows === beats.at(-1)!.rows)!.t));
  const inLoop = snapshots.filter((s) => s.t < loopEnd && total(s.t) > 0 && (within === undefined || (s.t >= within.from && s.t <= within.to)));
  const start = inLoop[0];
  const end = inLoop.at(-1);
  if (start === undefined || end === undefined || end.t <= start.t) return { available: false, reason: "fewer than two CPU snapshots inside the training loop" };
  const rows = total(end.t) - total(start.t);
  if (rows <= 0) return { available: false, reason: "no rows trained between the first and last snapshots of the loop" };
  const byRole = Object.fromEntries(Object.values(ProcessRole).map((r) => [r, end.cpu.byRole[r] - start.cpu.byRole[r]])) as Record<ProcessRole, number>;
  const seconds = (end.t - start.t) / 1000;
  const cpuSeconds = end.cpu.seconds - start.cpu.seconds;
  return { available: true, from: start.t, to: end.t, seconds, rows, cpuSeconds, cpuSecondsByRole: byRole, coresBusy: cpuSeconds / seconds };
}

/** How often the whole tree is read besides at heartbeats, so the job's total is known to within this much of its end. */
const SAMPLE_EVERY_MS = 250;

/**
 * Follows one `colony up` run: hand onSpawn and onHeartbeat to runColonyUp, call stop()
 * once it has exited. Besides the heartbeat snapshots it reads the tree every 250 ms, so
 * the job's CPU is known up to its last read before the root process exited.
 */
export class LoopCpuWatch {
  readonly #tree: ProcessTreeCpu;
  #rootPid: number | undefined;
  readonly #snapshots: CpuSnapshot[] = [];
  readonly #beats = new Map<string, WorkerBeat[]>();
  #latest: TreeCpu | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(tree: ProcessTreeCpu) {
    this.#tree = tree;
  }

  /** The `colony up` process started. */
  readonly onSpawn = (pid: number): void => {
    this.#rootPid = pid;
    this.#timer = setInterval(() => this.#read(), SAMPLE_EVERY_MS);
  };

  /** A heartbeat arrived: a worker's takes a snapshot of the tree's CPU time. */
  readonly onHeartbeat = (actor: ActorCounters): void => {
    if (actor.kind !== "worker") return;
    const t = performance.now();
    const cpu = this.#read();
    if (cpu === undefined || cpu.processes === 0) return;
    this.#snapshots.push({ t, cpu });
    const own = this.#beats.get(actor.id) ?? [];
    own.push({ t, rows: actor.counters["rows.trained"] ?? 0 });
    this.#beats.set(actor.id, own);
  };

  #read(): TreeCpu | undefined {
    if (this.#rootPid === undefined) return undefined;
    const cpu = this.#tree.sample(this.#rootPid);
    // Once the root has exited its tree reads empty: keep the last total seen while it ran.
    if (cpu !== undefined && cpu.processes > 0) this.#latest = cpu;
    return cpu;
  }

  /** Stops reading; call once the run has exited. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** The loop window's CPU per row (within a part of it when given), once the run is over. */
  result(within?: { readonly from: number; readonly to: number }): LoopCpu {
    if (!this.#tree.available) return { available: false, reason: "no /proc here (Linux only)" };
    return loopCpu(this.#snapshots, this.#beats, within);
  }

  /** CPU seconds of the whole tree at the last read while the root process lived (every process it started, exited ones included). */
  get jobCpuSeconds(): number | undefined {
    return this.#latest?.seconds;
  }
}
