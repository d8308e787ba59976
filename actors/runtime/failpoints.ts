/**
 * Planted bugs, for proving that the chaos checkers catch what they claim to: an actor
 * started with COLONY_FAILPOINTS="shard.skip-log-entry=40,worker.drop-task=3" misbehaves
 * on purpose at the named point (FoundationDB's BUGGIFY and TiKV's fail-rs are the same
 * idea). Nothing sets the variable but the checker tests; an unknown name is ignored, a
 * malformed value is refused at start so a typo cannot pass for a clean run.
 */

/** The failpoints actors know, with what their number means. */
export const Failpoint = {
  /** A shard does not apply the Nth update-log entry it reads (1-based, per incarnation): a lost update. */
  ShardSkipLogEntry: "shard.skip-log-entry",
  /** A worker reports its Nth task done (1-based, per incarnation) without training it: dropped rows. */
  WorkerDropTask: "worker.drop-task",
} as const;
export type Failpoint = (typeof Failpoint)[keyof typeof Failpoint];

/** The failpoint's number in COLONY_FAILPOINTS, or undefined when it is not set. */
export function failpoint(name: Failpoint, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const spec = env["COLONY_FAILPOINTS"];
  if (!spec) return undefined;
  for (const item of spec.split(",")) {
    const [key, value] = item.split("=").map((s) => s.trim());
    if (key !== name) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`COLONY_FAILPOINTS: ${name} needs a positive integer, got '${value}'`);
    return n;
  }
  return undefined;
}
