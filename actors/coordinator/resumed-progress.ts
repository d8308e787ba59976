/**
 * The task progress a resumed job (`colony up --resume DIR`) starts from: the one its
 * checkpoint recorded. The update log of the resumed job is new, so there is no sync
 * commit to wait for; sync jobs are not resumed (the CLI refuses them: a checkpoint is
 * not cut at a step boundary yet).
 */
import { CheckpointError, readManifest } from "../../train/index.js";
import type { TaskProgress } from "./task-queue.js";

/** Reads the progress saved in the checkpoint at `dir`; throws CheckpointError when it has none. */
export async function resumedProgress(dir: string): Promise<TaskProgress> {
  const m = await readManifest(dir);
  if (!m.progress) {
    throw new CheckpointError(dir, "it records no task progress (written by an older colony): it can be scored or exported, not resumed");
  }
  const p = m.progress;
  return { tasks: p.tasks, epoch: p.epoch, done: [...p.done], rowsDone: p.rowsDone, rowsRepeated: p.rowsRepeated };
}
