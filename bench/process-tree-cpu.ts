/**
 * CPU time of a process tree, read from Linux's /proc: what `colony up` and everything
 * it started (the embedded nats-server, the coordinator, shards and workers) have used
 * so far, user plus system, all threads, and split by role. Unlike wall-clock time it
 * does not grow when other jobs on a shared machine take the cores: a process that waits
 * for a core uses none. Each process counts its own time plus the time of its children
 * that have exited and been reaped (cutime, cstime), so a restarted actor's time is
 * kept by its parent. Linux only; elsewhere `available` is false.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The fields of /proc/<pid>/stat this module uses; times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  /** Times of exited, reaped children (and theirs). */
  readonly cutime: number;
  readonly cstime: number;
}

/** Who a process of a Colony cluster is. */
export const ProcessRole = {
  Supervisor: "supervisor",
  Nats: "nats-server",
  Coordinator: "coordinator",
  Shard: "shard",
  Worker: "worker",
  Other: "other",
} as const;
export type ProcessRole = (typeof ProcessRole)[keyof typeof ProcessRole];

/** CPU seconds of a tree at one moment: the total and by role. */
export interface TreeCpu {
  readonly seconds: number;
  readonly byRole: Readonly<Record<ProcessRole, number>>;
  readonly processes: number;
}

/** Parses one /proc/<pid>/stat line; the command name may hold spaces and parentheses, so fields are read after its last ')'. */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // After ")": state is field 3 of proc(5), so field n sits at index n − 3.
  const rest = line.slice(close + 2).split(" ");
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`field ${n} missing in /proc stat line: ${line.slice(0, 80)}`);
    return v;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** The role of a cluster process from its command name and command line (`--kind worker` for actors). */
export function roleOf(comm: string, argv: readonly string[], isRoot: boolean): ProcessRole {
  if (isRoot) return ProcessRole.Supervisor;
  if (comm === "nats-server") return ProcessRole.Nats;
  const kind = argv[argv.indexOf("--kind") + 1];
  if (argv.includes("--kind") && (kind === "coordinator" || kind === "shard" || kind === "worker")) return kind;
  return ProcessRole.Other;
}

/** Clock ticks per second of /proc times (USER_HZ, almost always 100). */
function clockTicks(): number {
  const probe = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 5000 });
  const ticks = Number(probe.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

function readStat(pid: number | "self"): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // it exited between the listing and the read
  }
}

function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** Reads the CPU time of one process tree; each process's role is looked up once. */
export class ProcessTreeCpu {
  readonly available: boolean;
  readonly #ticks: number;
  readonly #roles = new Map<number, ProcessRole>();

  constructor() {
    this.available = readStat("self") !== undefined;
    this.#ticks = this.available ? clockTicks() : 100;
  }

  /** CPU seconds used so far by `rootPid` and its descendants (exited ones included once reaped); undefined off Linux. */
  sample(rootPid: number): TreeCpu | undefined {
    if (!this.available) return undefined;
    const stats = new Map<number, ProcStat>();
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const s = readStat(Number(name));
      if (s !== undefined) stats.set(s.pid, s);
    }
    const children = new Map<number, number[]>();
    for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
    const byRole: Record<ProcessRole, number> = { supervisor: 0, "nats-server": 0, coordinator: 0, shard: 0, worker: 0, other: 0 };
    let total = 0;
    let processes = 0;
    const queue = stats.has(rootPid) ? [rootPid] : [];
    while (queue.length > 0) {
      const pid = queue.pop()!;
      const s = stats.get(pid)!;
      let role = this.#roles.get(pid);
      if (role === undefined) {
        role = roleOf(s.comm, readArgv(pid), pid === rootPid);
        // Between fork and exec a child still shows its parent's command line: look again next time.
        if (role !== ProcessRole.Other) this.#roles.set(pid, role);
      }
      const seconds = (s.utime + s.stime + s.cutime + s.cstime) / this.#ticks;
      byRole[role] += seconds;
      total += seconds;
      processes++;
      queue.push(...(children.get(pid) ?? []));
    }
    return { seconds: total, byRole, processes };
  }
}
