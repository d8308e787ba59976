/**
 * The pause a migrating partition imposes on pulls, read from the shards' logs: the old
 * owner logs "partitions handed over" (with `leaving`) once it stops serving them at the
 * `log.map` entry, the new owner the same line (with `arriving`) once it serves them.
 * Between the two, pulls of the partition wait or are redirected. Both shards run on
 * this machine, so their clocks agree. A shard replaying after a restart logs a handoff
 * again; the first line of each (entry, partition, side) counts.
 */
import { ActorLogs } from "./log-lines.js";

/** One partition's move: where from and to, and for how long no shard served it. */
export interface MigrationPause {
  readonly partition: number;
  readonly streamSeq: number;
  readonly from: string;
  readonly to: string;
  readonly pauseMs: number;
}

/** Every completed move found in the logs of `shards` under `runDir`. */
export async function migrationPauses(runDir: string, shards: readonly string[]): Promise<MigrationPause[]> {
  const logs = new ActorLogs(runDir);
  const left = new Map<string, { shard: string; at: number }>();
  const arrived = new Map<string, { shard: string; at: number }>();
  for (const shard of shards) {
    for (const r of (await logs.refresh(shard)).records) {
      if (r.msg !== "partitions handed over") continue;
      const seq = Number(r.fields["streamSeq"]);
      const at = Number(r.fields["at"]);
      for (const p of (r.fields["leaving"] as number[] | undefined) ?? []) if (!left.has(`${seq}:${p}`)) left.set(`${seq}:${p}`, { shard, at });
      for (const p of (r.fields["arriving"] as number[] | undefined) ?? []) if (!arrived.has(`${seq}:${p}`)) arrived.set(`${seq}:${p}`, { shard, at });
    }
  }
  const out: MigrationPause[] = [];
  for (const [key, a] of arrived) {
    const l = left.get(key);
    if (!l) continue;
    const [seq, p] = key.split(":").map(Number) as [number, number];
    out.push({ partition: p, streamSeq: seq, from: l.shard, to: a.shard, pauseMs: Math.max(0, a.at - l.at) });
  }
  return out.sort((x, y) => x.streamSeq - y.streamSeq || x.partition - y.partition);
}

/** The q-quantile (0..1) of `xs` by nearest rank; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
