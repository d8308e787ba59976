/** A data file an in-process run was given cannot be trained on: missing, not a file, or without a single example. */
import { TerminalError } from "../../protocols/index.js";

/** Terminal: point the command at a readable data file (e.g. one made by ../shared/bench/gen-ctr.mjs). */
export class DataFileError extends TerminalError {
  /** The file as given. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super("train.data_file", message, options);
    this.path = path;
  }
}
