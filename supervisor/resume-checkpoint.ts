/**
 * `colony up --resume DIR`: checks that a checkpoint can continue this config's job
 * before any process starts, and keeps it out of the way of the new run's own final
 * checkpoint. The model, its shape, the optimizer and the data cut must be the ones the
 * checkpoint was trained with; shard and partition counts may differ (shards load the
 * rows of the partitions they own in the new map).
 */
import { rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CheckpointError, denseDimOf, fieldsOf, readManifest } from "../train/index.js";
import { dataSpecOf } from "../actors/runtime/actor-config.js";
import type { ActorConfig } from "../actors/index.js";
import type { ClusterConfig } from "./config/index.js";

/** Throws CheckpointError saying what differs when `dir` cannot continue `config`'s job. */
export async function checkResumable(dir: string, config: ClusterConfig): Promise<void> {
  const m = await readManifest(dir);
  if (!m.progress) throw new CheckpointError(dir, "it records no task progress (written by an older colony): it can be scored or exported, not resumed");
  if (config.job.mode === "sync" || m.progress.mode === "sync") {
    throw new CheckpointError(dir, "sync jobs cannot be resumed yet (a checkpoint is not cut at a step boundary); run the job again, or resume it in async mode");
  }
  const spec = dataSpecOf(config as unknown as ActorConfig);
  const want = { kind: config.job.model, fields: fieldsOf(spec), denseDim: denseDimOf(spec), embeddingDim: config.job.embeddingDim };
  const differs = (Object.keys(want) as (keyof typeof want)[]).filter((k) => m.model[k] !== want[k]);
  if (m.optimizer.kind !== config.job.optimizer.kind) differs.push("optimizer" as keyof typeof want);
  if (differs.length > 0) {
    throw new CheckpointError(dir, `it was trained with a different ${differs.join(", ")} (checkpoint: ${JSON.stringify({ ...m.model, optimizer: m.optimizer.kind })}); resume it with the config it was trained with`);
  }
}

/**
 * The checkpoint path the resumed job reads: a checkpoint inside `runDir/final` (the
 * usual `colony up … --resume runs/x/final` into the same run dir) is moved aside first,
 * since a new run clears its final checkpoint when it starts.
 */
export async function keepResumeSource(dir: string, runDir: string, started: number): Promise<string> {
  const abs = resolve(dir);
  if (abs !== resolve(join(runDir, "final"))) return abs;
  const moved = resolve(join(runDir, `resumed-from-${started.toString(36)}`));
  await rename(abs, moved);
  return moved;
}
