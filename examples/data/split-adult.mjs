#!/usr/bin/env node
// Splits the census-income ("Adult") CSV into a training file (about 80% of rows) and a
// held-out file (about 20%), keeping the header in both. A row is held out when a hash
// of its 0-based data-row index falls in the lowest fifth of the 32-bit range: no
// randomness, so the same input gives the same bytes on every machine. Blank lines are
// dropped and do not count as rows.
// Usage: node examples/data/split-adult.mjs [path/to/adult.data]
//   default input: ../shared/data/adult/adult.data, relative to the repo root.
//   output: examples/data/adult-train.csv and examples/data/adult-test.csv.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const input = process.argv[2] ? resolve(process.argv[2]) : resolve(repoRoot, "../shared/data/adult/adult.data");

// murmur3's 32-bit finalizer: a well-mixed, portable hash of the row index.
function mix32(x) {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
const HELD_OUT_BELOW = Math.floor(0.2 * 2 ** 32);

const [header, ...rows] = readFileSync(input, "utf8")
  .split(/\r?\n/)
  .filter((line) => line.trim() !== "");
if (header === undefined) throw new Error(`${input} is empty`);

const train = [header];
const test = [header];
rows.forEach((row, i) => (mix32(i) < HELD_OUT_BELOW ? test : train).push(row));

writeFileSync(join(here, "adult-train.csv"), `${train.join("\n")}\n`);
writeFileSync(join(here, "adult-test.csv"), `${test.join("\n")}\n`);
process.stderr.write(`${input}: ${rows.length} rows -> adult-train.csv ${train.length - 1}, adult-test.csv ${test.length - 1}\n`);
