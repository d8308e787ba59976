/** The repository root: the nearest directory above a bench/ module that holds package.json. */
import { existsSync } from "node:fs";
import path from "node:path";
import { BenchSetupError } from "./bench-errors.js";

/** Walks up from `from` to the first directory with a package.json; throws BenchSetupError when there is none. */
export function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new BenchSetupError(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
