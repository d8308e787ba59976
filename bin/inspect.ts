/** `colony inspect --checkpoint DIR [--json]`: what a checkpoint holds, with a digest of every tensor. No cluster needed. */
import { inspectCheckpoint, type CheckpointInspection } from "../train/index.js";

export interface InspectArgs { readonly checkpoint: string; readonly json: boolean }

const short = (digest: string): string => digest.slice(0, 16);

/** The human-readable summary: job, model, rows per table and shard, digests (shortened; --json has them whole). */
export function formatInspection(r: CheckpointInspection): string {
  const lines = [
    `checkpoint ${r.checkpoint}`,
    `  job        cluster ${r.cluster}, written ${r.createdAt}, step ${r.step ?? "-"}, rows trained ${r.rowsTrained}`,
    `  model      ${r.model.kind} (fields ${r.model.fields}, dense ${r.model.denseDim}, embedding ${r.model.embeddingDim}, seed ${r.model.seed})`,
    `  data       ${r.data.format}`,
    `  optimizer  ${r.optimizer.kind} lr ${r.optimizer.lr}`,
    `  layout     ${r.partitions} partitions, ${r.shards.length} shard(s): ${r.shards.join(", ")}`,
    `  rows       ${r.rows}`,
    `  digest     params ${r.digest.params}`,
    `             state  ${r.digest.state}`,
    "",
    "  table             rows    dim  state  params            state             per shard",
  ];
  for (const t of r.tables) {
    const perShard = Object.entries(t.rowsPerShard).map(([s, n]) => `${s}=${n}`).join(" ");
    lines.push(`  ${t.name.padEnd(15)} ${String(t.rows).padStart(6)} ${String(t.dim).padStart(6)} ${String(t.stateWidth).padStart(6)}  ${short(t.params)}  ${short(t.state)}  ${perShard}`);
  }
  lines.push("", "  dense tensor      shape        sha256");
  for (const d of r.dense) lines.push(`  ${d.name.padEnd(15)} ${`[${d.shape.join(", ")}]`.padEnd(12)} ${short(d.sha256)}`);
  return lines.join("\n");
}

/** Prints the checkpoint's summary (one JSON object with --json); resolves with the exit code. */
export async function inspectCommand(args: InspectArgs): Promise<number> {
  const r = await inspectCheckpoint(args.checkpoint);
  process.stdout.write(args.json ? `${JSON.stringify(r)}\n` : `${formatInspection(r)}\n`);
  return 0;
}
