/**
 * Exactly once, from the audit (update-log-audit.ts): the whole log replayed through the
 * shards' own apply rule gives, bit for bit, the parameters of the final checkpoint. An
 * entry a shard skipped, applied twice, or applied out of order makes rows differ.
 * The check covers the primaries: Colony keeps no replicas yet (`replicas` is not built).
 */
import type { UpdateLogAudit } from "./update-log-audit.js";
import type { CheckerVerdict } from "./verdict.js";

/** The verdict on an audit. */
export function checkExactlyOnce(audit: UpdateLogAudit): CheckerVerdict {
  const ok = audit.rows > 0 && audit.mismatched === 0 && audit.untouchedChanged === 0 && audit.malformed === 0;
  const summary = ok
    ? `${audit.entries.toLocaleString("en-US")} log entries${audit.steps > 0 ? ` (${audit.steps.toLocaleString("en-US")} sync steps)` : ""} applied exactly once: replaying the log reproduces all ${audit.rows.toLocaleString("en-US")} rows of the checkpoint bit for bit`
    : audit.rows === 0
      ? "the log replays to no rows at all: nothing to compare"
      : `${audit.mismatched} rows differ from a replay of the log${audit.untouchedChanged > 0 ? `, ${audit.untouchedChanged} rows changed that no entry touched` : ""}${audit.malformed > 0 ? `, ${audit.malformed} malformed entries` : ""}: an update was lost or applied twice`;
  return {
    checker: "exactly-once",
    ok,
    summary,
    evidence: {
      entries: audit.entries, applied: audit.applied, syncSteps: audit.steps, duplicatesDropped: audit.duplicates, malformed: audit.malformed,
      rowsCompared: audit.rows, rowsMismatched: audit.mismatched, rowsUntouched: audit.untouched, rowsUntouchedChanged: audit.untouchedChanged,
      replicas: 1, examples: audit.examples,
    },
  };
}
