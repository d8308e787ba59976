/**
 * The peer: the same model, data and optimizer in one PyTorch process
 * (../shared/bench/torch_reference.py), run with the system Python in the same
 * benchmark run as Colony. When PyTorch (or OpenBLAS, without which Debian's PyTorch
 * is several times slower) is missing, it installs the Debian packages once, only as
 * root and only when allowed; otherwise the peer is reported as skipped, with why.
 * Also the Python side of the export check: bench/score_safetensors.py scores the test
 * file with a `colony export` safetensors file (PyTorch when present, else NumPy).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { lastJsonLine, outputTail, runStep } from "./subprocess.js";

/** The peer's JSON line plus what the benchmark measured around it. */
export interface PeerRun {
  readonly command: string;
  /** e.g. "pytorch 1.13.1". */
  readonly peer: string;
  readonly device: string;
  readonly threads: number;
  readonly trainRows: number;
  readonly batch: number;
  /** Seconds the peer spent parsing both files. */
  readonly loadSeconds: number;
  /** Seconds of the training loop alone. */
  readonly trainSeconds: number;
  /** Rows / trainSeconds, as the peer reports it (parsing excluded). */
  readonly samplesPerSec: number;
  readonly testAuc: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  /** Seconds from spawn to exit: start-up, parsing, training and scoring. */
  readonly wallSeconds: number;
  /** trainRows / wallSeconds. */
  readonly e2eSamplesPerSec: number;
  /** Installed OpenBLAS package version, or "none" (reference BLAS: slow). */
  readonly openblas: string;
  /** The packages this run installed, if it installed any. */
  readonly installed?: string;
}

/** Why there is no peer result. */
export interface PeerSkipped {
  readonly skipped: string;
}

/** Path of the peer script, relative to the repo root. */
export const PEER_SCRIPT = "../shared/bench/torch_reference.py";
const PYTHON = "/usr/bin/python3";
const PACKAGES = ["python3-torch", "python3-numpy", "libopenblas0-pthread"];
const INSTALL_TIMEOUT_MS = 30 * 60_000;

/** Runs the peer on the same files; resolves with its result or why it was skipped (never throws for a missing peer). */
export async function runTorchPeer(opts: {
  root: string;
  train: string;
  test: string;
  threads: number;
  allowInstall: boolean;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<PeerRun | PeerSkipped> {
  const script = path.resolve(opts.root, PEER_SCRIPT);
  if (!existsSync(script)) return { skipped: `peer script not found: ${script}` };
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };

  let installed: string | undefined;
  let torch = await probeTorch(opts.root);
  let openblas = await openblasVersion(opts.root);
  if (torch === undefined || openblas === undefined) {
    const missing = torch === undefined ? "PyTorch" : "OpenBLAS";
    const refusal = installRefusal(opts.allowInstall);
    if (refusal !== undefined) {
      if (torch === undefined) return { skipped: `PyTorch is not importable by ${PYTHON} and ${refusal}` };
      opts.log(`OpenBLAS is missing and ${refusal}; the peer runs on the reference BLAS (slow)`);
    } else {
      opts.log(`${missing} missing: apt-get install -y ${PACKAGES.join(" ")} (this can take minutes)`);
      const failure = await aptInstall(opts.root);
      if (failure !== undefined && torch === undefined) return { skipped: `installing PyTorch failed: ${failure}` };
      if (failure === undefined) installed = PACKAGES.join(" ");
      torch = await probeTorch(opts.root);
      openblas = await openblasVersion(opts.root);
      if (torch === undefined) return { skipped: `PyTorch still not importable by ${PYTHON} after apt-get install` };
    }
  }

  const args = [script, opts.train, opts.test, "--threads", String(opts.threads)];
  opts.log(`peer: ${PYTHON} ${[PEER_SCRIPT, ...args.slice(1)].join(" ")}`);
  const out = await runStep({ command: PYTHON, args, cwd: opts.root, timeoutMs: opts.timeoutMs });
  const line = lastJsonLine(out.stdout);
  if (out.exitCode !== 0 || line === undefined || typeof line["samples_per_s"] !== "number") {
    const why = out.timedOut ? "timed out" : `exited with ${out.exitCode ?? out.signal}`;
    return { skipped: `the peer failed (${why}): ${outputTail(out, 5)}` };
  }
  const trainRows = Number(line["train_rows"]);
  return {
    command: `${PYTHON} ${args.join(" ")}`,
    peer: String(line["peer"]),
    device: String(line["device"]),
    threads: Number(line["threads"]),
    trainRows,
    batch: Number(line["batch"]),
    loadSeconds: Number(line["load_s"]),
    trainSeconds: Number(line["train_s"]),
    samplesPerSec: Number(line["samples_per_s"]),
    testAuc: Number(line["test_auc"]),
    firstLoss: Number(line["first_loss"]),
    lastLoss: Number(line["last_loss"]),
    wallSeconds: out.wallSeconds,
    e2eSamplesPerSec: trainRows / out.wallSeconds,
    openblas: openblas ?? "none",
    ...(installed === undefined ? {} : { installed }),
  };
}

/** What the Python scorer reported for a `colony export` file. */
export interface ExportScore {
  readonly command: string;
  /** e.g. "pytorch 2.4.1", or "numpy 1.24.2 (no torch)" when PyTorch is missing. */
  readonly scorer: string;
  /** "safetensors" (the package) or "plain reader" (the script's own). */
  readonly loader: string;
  readonly model: string;
  readonly rows: number;
  readonly auc: number;
  /** Share of test (field, id) lookups the export held a row for; the rest got their initial rows. */
  readonly seenFraction: number;
  readonly wallSeconds: number;
}

/** Path of the export scorer, relative to the repo root. */
export const EXPORT_SCORER = "bench/score_safetensors.py";

/**
 * Scores `test` with a safetensors file written by `colony export`, in the system Python
 * (PyTorch when it imports, else NumPy): the proof that the export needs nothing of
 * Colony's. Resolves with why it was skipped when Python or NumPy is missing; never installs.
 */
export async function scoreExportInPython(opts: {
  root: string; model: string; test: string; threads: number; timeoutMs: number; log: (line: string) => void;
}): Promise<ExportScore | PeerSkipped> {
  const script = path.resolve(opts.root, EXPORT_SCORER);
  if (!existsSync(script)) return { skipped: `export scorer not found: ${script}` };
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const numpy = await runStep({ command: PYTHON, args: ["-c", "import numpy"], cwd: opts.root, timeoutMs: 60_000 });
  if (numpy.exitCode !== 0) return { skipped: `NumPy is not importable by ${PYTHON} (install python3-numpy, and python3-torch to score in PyTorch)` };
  const args = [script, opts.model, opts.test, "--threads", String(opts.threads)];
  opts.log(`export scorer: ${PYTHON} ${[EXPORT_SCORER, ...args.slice(1)].join(" ")}`);
  const out = await runStep({ command: PYTHON, args, cwd: opts.root, timeoutMs: opts.timeoutMs });
  const line = lastJsonLine(out.stdout);
  if (out.exitCode !== 0 || line === undefined || typeof line["auc"] !== "number") {
    const why = out.timedOut ? "timed out" : `exited with ${out.exitCode ?? out.signal}`;
    return { skipped: `the export scorer failed (${why}): ${outputTail(out, 5)}` };
  }
  return {
    command: `${PYTHON} ${args.join(" ")}`,
    scorer: String(line["scorer"]),
    loader: String(line["loader"]),
    model: String(line["model"]),
    rows: Number(line["rows"]),
    auc: line["auc"],
    seenFraction: Number(line["seen_fraction"]),
    wallSeconds: out.wallSeconds,
  };
}

/** True when a result is a skip. */
export function isPeerSkipped<T extends PeerRun | ExportScore>(peer: T | PeerSkipped): peer is PeerSkipped {
  return "skipped" in peer;
}

/** The PyTorch version the system Python imports, or undefined. */
async function probeTorch(cwd: string): Promise<string | undefined> {
  const out = await runStep({ command: PYTHON, args: ["-c", "import numpy, torch; print(torch.__version__)"], cwd, timeoutMs: 120_000 });
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

/** The installed libopenblas0-pthread version, or undefined (no dpkg, or not installed). */
async function openblasVersion(cwd: string): Promise<string | undefined> {
  const out = await runStep({
    command: "dpkg-query", args: ["-W", "-f=${Status} ${Version}", "libopenblas0-pthread"], cwd, timeoutMs: 30_000,
  }).catch(() => undefined);
  const m = out?.exitCode === 0 ? /install ok installed (\S+)/.exec(out.stdout) : null;
  return m?.[1];
}

/** Why this run may not install packages, or undefined when it may. */
function installRefusal(allowInstall: boolean): string | undefined {
  if (!allowInstall) return "--no-install was given";
  if (process.getuid?.() !== 0) return "the benchmark is not running as root (install python3-torch python3-numpy libopenblas0-pthread)";
  if (!existsSync("/usr/bin/apt-get")) return "there is no apt-get";
  return undefined;
}

/** apt-get install, with one apt-get update and retry if the first attempt fails; undefined on success, else the reason. */
async function aptInstall(cwd: string): Promise<string | undefined> {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => runStep({ command: "apt-get", args: ["install", "-y", "-q", ...PACKAGES], cwd, env, timeoutMs: INSTALL_TIMEOUT_MS });
  let out = await install();
  if (out.exitCode === 0) return undefined;
  // Stale package lists are the usual reason: refresh them once.
  await runStep({ command: "apt-get", args: ["update", "-q"], cwd, env, timeoutMs: INSTALL_TIMEOUT_MS });
  out = await install();
  return out.exitCode === 0 ? undefined : `apt-get exited with ${out.exitCode ?? out.signal}: ${outputTail(out, 3)}`;
}
