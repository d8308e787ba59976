/**
 * Bitwise (sync mode): the chaos run's final parameters have the same digests as those of
 * a fault-free run of the same job and seed, which the chaos runner trains itself. The
 * digests (`colony inspect`) hash every tensor in a partitioning-independent order.
 */
import { inspectCheckpoint } from "../../train/index.js";
import type { CheckerVerdict } from "./verdict.js";

/** Compares the digests of two checkpoints. */
export async function checkBitwise(mode: string, chaosCheckpoint: string, referenceCheckpoint: string): Promise<CheckerVerdict> {
  const [a, b] = await Promise.all([inspectCheckpoint(chaosCheckpoint), inspectCheckpoint(referenceCheckpoint)]);
  const tables = a.tables.filter((t) => {
    const r = b.tables.find((x) => x.name === t.name);
    return !r || r.params !== t.params || r.state !== t.state;
  }).map((t) => t.name);
  const dense = a.dense.filter((d) => b.dense.find((x) => x.name === d.name)?.sha256 !== d.sha256).map((d) => d.name);
  const ok = mode === "sync" && a.digest.params === b.digest.params && a.digest.state === b.digest.state;
  return {
    checker: "bitwise",
    ok,
    summary: mode !== "sync"
      ? "bitwise equality is promised in sync mode only; this job runs async"
      : ok
        ? `parameters and optimizer state are bitwise identical to the fault-free run (params ${a.digest.params.slice(0, 16)})`
        : `the parameters differ from the fault-free run's: tables ${tables.join(", ") || "-"}, dense ${dense.join(", ") || "-"}`,
    evidence: {
      mode, chaos: a.digest, reference: b.digest, rows: { chaos: a.rows, reference: b.rows }, tablesDiffering: tables, denseDiffering: dense,
    },
  };
}
