/**
 * Runs the real `colony` command (the built dist/bin/colony.js) as a child process, for
 * integration tests: the whole thing a user runs, processes, ports and files included.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const COLONY = fileURLToPath(new URL("../../dist/bin/colony.js", import.meta.url));

export interface ColonyRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line parsed as JSON (colony up and eval print their result there). */
  readonly result: Record<string, unknown> | undefined;
}

/** A colony process in flight. */
export interface ColonyProcess {
  readonly child: ChildProcess;
  readonly done: Promise<ColonyRun>;
  /** Resolves once stderr or stdout has printed a line matching `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Every colony process started here and still running: a timed-out test must not leave a cluster behind. */
const running = new Set<ChildProcess>();
process.once("exit", () => { for (const c of running) c.kill("SIGTERM"); });

/** Starts `colony ARGS…` from the repo root. */
export function startColony(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): ColonyProcess {
  if (!existsSync(COLONY)) throw new Error(`${COLONY} is missing: run npm test (it builds first) or npm run build`);
  const child = spawn(process.execPath, [COLONY, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const scan = (): void => {
    for (const w of [...watchers]) {
      const line = `${stderr}\n${stdout}`.split("\n").find((l) => w.pattern.test(l));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on("data", (c: Buffer) => { stdout += c.toString(); scan(); });
  child.stderr!.on("data", (c: Buffer) => { stderr += c.toString(); scan(); });
  const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 240_000);
  const done = new Promise<ColonyRun>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      const last = stdout.trim().split("\n").at(-1) ?? "";
      let result: Record<string, unknown> | undefined;
      try { result = JSON.parse(last) as Record<string, unknown>; } catch { result = undefined; }
      resolve({ code, signal, stdout, stderr, result });
    });
  });
  return {
    child,
    done,
    waitForOutput: (pattern, timeoutMs = 60_000) => new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no output line matched ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      watchers.push({ pattern, resolve: (l) => { clearTimeout(t); resolve(l); } });
      scan();
    }),
  };
}

/** Runs `colony ARGS…` to its end. */
export async function runColony(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ColonyRun> {
  return startColony(args, opts).done;
}

/** Pids of every actor process a run started, read from its supervisor's JSON log lines. */
export function actorPids(stderr: string): number[] {
  const pids: number[] = [];
  for (const line of stderr.split("\n")) {
    if (!line.includes('"actor started"')) continue;
    try {
      const pid = (JSON.parse(line) as { childPid?: number }).childPid;
      if (typeof pid === "number") pids.push(pid);
    } catch { /* not a JSON line */ }
  }
  return pids;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
