/**
 * `node dist/bench/export-score.js`: the export check of issue 5 as a recorded run. It
 * trains dlrm-small with `colony up examples/ctr.yaml` on the benchmark's CTR data (or
 * takes an existing --checkpoint), then `colony inspect`, `colony export --format
 * safetensors`, `colony eval`, and scores the same test file from the export alone in
 * the system Python (bench/score_safetensors.py: PyTorch when it imports, else NumPy).
 * Writes bench/results/export-score.json and .md (bench/tmp/results with --out unset and
 * --checkpoint given) and prints the record as one JSON line.
 *
 * Flags: --rows N (train rows, default 100,000; test rows N/5), --checkpoint DIR --test
 * FILE (skip training), --out DIR.
 */
import { existsSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BenchSetupError, BenchStepError } from "./bench-errors.js";
import { runColonyEval, runColonyUp } from "./colony-run.js";
import { ensureCtrData } from "./ctr-data.js";
import { describeMachine, detectMachine } from "./machine.js";
import { lastJsonLine, outputTail, runStep } from "./subprocess.js";
import { isPeerSkipped, scoreExportInPython } from "./torch-peer.js";

const CONFIG = "examples/ctr.yaml";
const TMP = "bench/tmp";
const MINUTE = 60_000;

/** Runs `colony ARGS` from the repo root and returns its last JSON line; throws BenchStepError otherwise. */
async function colony(root: string, step: string, args: string[]): Promise<{ line: Record<string, unknown>; wallSeconds: number }> {
  const out = await runStep({ command: process.execPath, args: ["dist/bin/colony.js", ...args], cwd: root, timeoutMs: 30 * MINUTE });
  const line = lastJsonLine(out.stdout);
  if (out.exitCode !== 0 || line === undefined) throw new BenchStepError(step, out.exitCode, outputTail(out), "no JSON result");
  return { line, wallSeconds: out.wallSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: "string" }, checkpoint: { type: "string" }, test: { type: "string" }, out: { type: "string" } } });
  // dist/bench/export-score.js → the repo root is two levels up.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  if (!existsSync(path.join(root, "dist/bin/colony.js"))) throw new BenchSetupError("dist/bin/colony.js is missing; run `npm run setup` first");
  const log = (line: string): void => { process.stderr.write(`export-score: ${line}\n`); };
  const rel = (p: string): string => path.relative(root, path.resolve(root, p));
  const machine = detectMachine();

  let checkpoint: string;
  let test: string;
  let training: Record<string, unknown> | undefined;
  if (values.checkpoint !== undefined) {
    if (values.test === undefined) throw new BenchSetupError("--checkpoint needs --test FILE (the data to score)");
    checkpoint = rel(values.checkpoint);
    test = rel(values.test);
  } else {
    const rows = Number(values.rows ?? 100_000);
    if (!Number.isInteger(rows) || rows < 1000) throw new BenchSetupError(`--rows must be an integer >= 1000, got ${values.rows}`);
    const data = await ensureCtrData({ root, dir: path.join(root, TMP), rows, log });
    const runDir = `${TMP}/run-export`;
    await rm(path.join(root, runDir), { recursive: true, force: true });
    await mkdir(path.join(root, runDir), { recursive: true });
    log(`colony up ${CONFIG} on ${rows} rows`);
    const up = await runColonyUp({
      root, config: CONFIG, runDir, train: rel(data.train), test: rel(data.test), timeoutMs: 60 * MINUTE,
      stderrFile: path.join(root, TMP, "export-score-up.stderr.log"),
    });
    checkpoint = rel(up.result.checkpoint ?? path.join(runDir, "final"));
    test = rel(data.test);
    training = { trainRows: up.result.rows, upAuc: up.result.auc, upSeconds: up.wallSeconds };
  }

  const inspected = await colony(root, "colony inspect", ["inspect", "--checkpoint", checkpoint, "--json"]);
  const model = `${TMP}/export-score.safetensors`;
  const exported = await colony(root, "colony export", ["export", "--checkpoint", checkpoint, "--format", "safetensors", "--out", model]);
  log(`colony export: ${(await stat(path.join(root, model))).size} bytes in ${exported.wallSeconds.toFixed(1)} s`);
  const evaluated = await runColonyEval({ root, checkpoint, data: test, timeoutMs: 30 * MINUTE });
  log(`colony eval: AUC ${evaluated.auc} on ${evaluated.rows} rows`);
  const python = await scoreExportInPython({ root, model, test, threads: 2, timeoutMs: 30 * MINUTE, log });
  log(isPeerSkipped(python) ? `Python scorer skipped: ${python.skipped}` : `${python.scorer}: AUC ${python.auc} on ${python.rows} rows`);

  const record = {
    date: new Date().toISOString(),
    machine: describeMachine(machine),
    checkpoint,
    test,
    ...(training === undefined ? {} : { training }),
    inspect: { rows: inspected.line["rows"], paramsDigest: (inspected.line["digest"] as { params: string }).params, seconds: inspected.wallSeconds },
    export: { ...exported.line, seconds: exported.wallSeconds },
    colonyEval: { rows: evaluated.rows, auc: evaluated.auc, seconds: evaluated.wallSeconds },
    python,
    aucDifference: isPeerSkipped(python) ? null : Math.abs(python.auc - evaluated.auc),
  };
  const outDir = path.resolve(root, values.out ?? (values.checkpoint === undefined ? "bench/results" : `${TMP}/results`));
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, "export-score.json"), `${JSON.stringify(record, null, 2)}\n`);
  const py = isPeerSkipped(python) ? `skipped: ${python.skipped}` : `${python.auc} (${python.scorer}, ${python.loader}, ${python.rows} rows)`;
  await writeFile(path.join(outDir, "export-score.md"), [
    "# Export check: a safetensors export scored outside Colony",
    "",
    `${record.date}, ${record.machine}. Checkpoint \`${checkpoint}\`, test file \`${test}\`.`,
    "",
    "| scorer | AUC |",
    "| --- | --- |",
    `| \`colony eval\` | ${evaluated.auc} (${evaluated.rows} rows) |`,
    `| \`bench/score_safetensors.py\` on the export | ${py} |`,
    "",
    `Export: ${String(exported.line["bytes"])} bytes, ${String(exported.line["tensors"])} tensors, ${String(exported.line["rows"])} embedding rows. ` +
      `Params digest (colony inspect): \`${record.inspect.paramsDigest}\`.`,
    "",
  ].join("\n"));
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`export-score: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof BenchSetupError ? 2 : 1);
});
