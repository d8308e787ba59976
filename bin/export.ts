/** `colony export --checkpoint DIR --format safetensors --out FILE`: writes the model for other tools. No cluster needed. */
import { exportCheckpoint } from "../train/index.js";

export interface ExportArgs { readonly checkpoint: string; readonly format: string; readonly out: string }

/** Writes the export and prints one JSON line {out, format, bytes, tensors, rows}; resolves with the exit code. */
export async function exportCommand(args: ExportArgs): Promise<number> {
  const r = await exportCheckpoint(args.checkpoint, { format: args.format, out: args.out });
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return 0;
}
