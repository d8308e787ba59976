/**
 * One actor as a child OS process: spawned from the compiled actor entry, its stdout
 * and stderr appended to its own log file, its error-level lines passed to a callback
 * so the supervisor can surface them, and its exit observed. stop() asks politely
 * (SIGTERM) and kills (SIGKILL) after a timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
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
  readonly spec: ActorProcessSpec;
  readonly #child: ChildProcess;
  readonly exited: Promise<ActorExit>;
  #exit: ActorExit | undefined;
  /** Last lines the process wrote, kept to explain a crash. */
  readonly #tail: string[] = [];

  constructor(spec: ActorProcessSpec) {
    this.spec = spec;
    const out = createWriteStream(spec.logFile, { flags: "a" });
    this.#child = spawn(process.execPath, [
      fileURLToPath(ACTOR_ENTRY), "--kind", spec.kind, "--id", spec.id,
      "--config", spec.configFile, "--nats", spec.natsUrl, "--run-dir", spec.runDir,
      ...(spec.host === undefined ? [] : ["--host", spec.host]),
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    const onData = (chunk: Buffer): void => {
      out.write(chunk);
      const text = partial + chunk.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.length === 0) continue;
        this.#tail.push(line);
        if (this.#tail.length > 20) this.#tail.shift();
        if (spec.onErrorLine && /"level":(50|60)/.test(line)) spec.onErrorLine(line);
      }
    };
    this.#child.stdout!.on("data", onData);
    this.#child.stderr!.on("data", onData);
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        out.end();
        resolve(this.#exit);
      });
    });
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
