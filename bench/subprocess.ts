/**
 * Runs one benchmark step as a child process and times it: wall seconds from spawn to
 * exit, all of stdout, the tail of stderr (and optionally all of it in a log file), and
 * each stderr line handed to a callback as it arrives. A step past its time limit gets
 * SIGTERM, then SIGKILL. A Ctrl-C of the benchmark reaches the child through the
 * terminal's process group; nothing here installs signal handlers.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** A finished child process. */
export interface StepOutput {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when it was stopped for running past timeoutMs. */
  readonly timedOut: boolean;
  readonly stdout: string;
  /** Last lines of stderr (at most 200). */
  readonly stderrTail: string;
  /** Seconds from spawn to exit. */
  readonly wallSeconds: number;
}

/** How to run one step. */
export interface StepCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Every stderr line, as it arrives. */
  readonly onStderrLine?: (line: string) => void;
  /** Where all of stderr is written too. */
  readonly stderrFile?: string;
  /** Called once the child has a pid (to follow its process tree). */
  readonly onSpawn?: (pid: number) => void;
}

const TAIL_LINES = 200;
const KILL_GRACE_MS = 10_000;

/** Spawns the command and resolves when it has exited (never rejects for a non-zero exit). */
export async function runStep(cmd: StepCommand): Promise<StepOutput> {
  const started = performance.now();
  const child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) cmd.onSpawn?.(child.pid);
  const file = cmd.stderrFile === undefined ? undefined : createWriteStream(cmd.stderrFile);
  const stdout: Buffer[] = [];
  const tail: string[] = [];
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    file?.write(chunk);
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) take(line);
  });
  function take(line: string): void {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    try {
      cmd.onStderrLine?.(line);
    } catch {
      // A listener's bug must not lose the step's result.
    }
  }

  let timedOut = false;
  let killer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
    killer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  }, cmd.timeoutMs);

  const [code, signal] = (await Promise.race([
    once(child, "close"),
    once(child, "error").then(([err]) => {
      throw err;
    }),
  ])) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  clearTimeout(killer);
  if (partial !== "") take(partial);
  if (file !== undefined) {
    file.end();
    await once(file, "close");
  }
  return {
    exitCode: code,
    signal,
    timedOut,
    stdout: Buffer.concat(stdout).toString("utf8"),
    stderrTail: tail.join("\n"),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** The last non-empty line of a step's stdout parsed as a JSON object, or undefined. */
export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(last);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The tail of a step's output for an error message: stderr's last lines, then stdout's. */
export function outputTail(out: StepOutput, lines = 20): string {
  const pick = (s: string): string[] => s.split("\n").filter((l) => l.trim() !== "").slice(-lines);
  return [...pick(out.stderrTail), ...pick(out.stdout)].slice(-lines).join("\n");
}
