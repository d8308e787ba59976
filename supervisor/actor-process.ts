/**
 * One actor as a child OS process: spawned from the compiled actor entry, its stdout
 * and stderr appended to its own log file, its error-level lines passed to a callback
 * so the supervisor can surface them, and its exit observed. stop() asks politely
 * (SIGTERM) and kills (SIGKILL) after a timeout.
 *
 * A standby (ActorProcess.standby) is a worker process started without an id: it
 * loads its modules and connects, then waits for assign() to tell it its id on stdin.
 * What it writes before that is kept and goes to the log file it is assigned.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { ACTOR_ENTRY } from "../actors/index.js";

export interface ActorExit { readonly code: number | null; readonly signal: NodeJS.Signals | null }

export interface ActorProcessSpec {
  readonly id: string;
  readonly kind: "coordinator" | "shard" | "worker";
  readonly configFile: string;
  readonly natsUrl: string;
  readonly runDir: string;
  readonly logFile: string;
  /** The host id the actor reports (an agent's id); default the machine's hostname. */
  readonly host?: string;
  /** Called with each log line of level error or fatal. */
  readonly onErrorLine?: (line: string) => void;
}

/** A running actor process. */
export class ActorProcess {
  #spec: ActorProcessSpec;
  readonly #child: ChildProcess;
  /** The log file, once the process has an id (a standby has none yet). */
  #out: WriteStream | undefined;
  /** What a standby wrote before its assignment. */
  readonly #early: Buffer[] = [];
  readonly exited: Promise<ActorExit>;
  #exit: ActorExit | undefined;
  /** Last lines the process wrote, kept to explain a crash. */
  readonly #tail: string[] = [];

  constructor(spec: ActorProcessSpec, standby = false) {
    this.#spec = spec;
    this.#out = standby ? undefined : createWriteStream(spec.logFile, { flags: "a" });
    this.#child = spawn(process.execPath, [
      fileURLToPath(ACTOR_ENTRY), "--kind", spec.kind, ...(standby ? ["--standby"] : ["--id", spec.id]),
      "--config", spec.configFile, "--nats", spec.natsUrl, "--run-dir", spec.runDir,
      ...(spec.host === undefined ? [] : ["--host", spec.host]),
    ], { stdio: [standby ? "pipe" : "ignore", "pipe", "pipe"] });
    // A standby's stdin only carries its assignment; a write after it died must not throw.
    this.#child.stdin?.on("error", () => undefined);
    let partial = "";
    const onData = (chunk: Buffer): void => {
      if (this.#out) this.#out.write(chunk);
      else this.#early.push(chunk);
      const text = partial + chunk.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.length === 0) continue;
        this.#tail.push(line);
        if (this.#tail.length > 20) this.#tail.shift();
        if (this.#spec.onErrorLine && /"level":(50|60)/.test(line)) this.#spec.onErrorLine(line);
      }
    };
    this.#child.stdout!.on("data", onData);
    this.#child.stderr!.on("data", onData);
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        this.#out?.end();
        resolve(this.#exit);
      });
    });
  }

  /** Starts a worker process that waits, loaded and connected, for assign(); `spec.id` and `spec.logFile` are placeholders until then. */
  static standby(spec: Omit<ActorProcessSpec, "id" | "logFile" | "onErrorLine">): ActorProcess {
    return new ActorProcess({ ...spec, id: "", logFile: "" }, true);
  }

  /** Gives a standby its id and log file; it then runs as that actor. False when it already exited (start a fresh one). */
  assign(id: string, logFile: string, onErrorLine?: (line: string) => void): boolean {
    if (!this.running || this.#out !== undefined || this.#child.stdin === null) return false;
    this.#spec = { ...this.#spec, id, logFile, onErrorLine };
    this.#out = createWriteStream(logFile, { flags: "a" });
    for (const chunk of this.#early.splice(0)) this.#out.write(chunk);
    this.#child.stdin.end(`${JSON.stringify({ id })}\n`);
    return true;
  }

  /** What it runs as (a standby's id and log file are empty until assigned). */
  get spec(): ActorProcessSpec {
    return this.#spec;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The last lines the process logged. */
  tail(): string[] {
    return [...this.#tail];
  }

  /** Sends a signal without waiting. */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.running) this.#child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process has exited. */
  async stop(timeoutMs = 5000): Promise<ActorExit> {
    if (!this.running) return this.exited;
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
