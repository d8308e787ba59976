/**
 * Synthetic click logs for tests, made by the benchmark's own generator
 * (../shared/bench/gen-ctr.mjs, beside the repository), cached per (rows, seed) in the
 * OS temp dir so several tests share one file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./colony-cli.js";

export const GENERATOR = join(REPO, "..", "shared", "bench", "gen-ctr.mjs");

/** Path of a Criteo-format TSV with `rows` rows generated from `seed` (ids Zipf(`zipf`), the generator's 1.1 by default). */
export function ctrFile(rows: number, seed: number, opts: { zipf?: number } = {}): string {
  if (!existsSync(GENERATOR)) throw new Error(`the CTR generator is missing at ${GENERATOR}: the repository expects shared/ beside it`);
  const dir = join(tmpdir(), "colony-test-data");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `ctr-${rows}-s${seed}${opts.zipf === undefined ? "" : `-z${opts.zipf}`}.tsv`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.tmp`;
    const zipf = opts.zipf === undefined ? [] : ["--zipf", String(opts.zipf)];
    execFileSync(process.execPath, [GENERATOR, "--rows", String(rows), "--seed", String(seed), ...zipf, "--out", partial]);
    renameSync(partial, path);
  }
  return path;
}
