/**
 * A cluster the elasticity benchmark drives through the real CLI: `colony up --json` runs
 * as a child process whose stderr (the root supervisor's pino lines) is kept as a
 * LogBook; `colony status --json`, `colony scale` and `colony down` run as their own
 * processes, exactly as an operator types them. Operator commands find the cluster
 * through a registry private to the benchmark (COLONY_HOME), so they never reach
 * someone else's cluster on the same machine. The workers' heartbeats are followed
 * for the training rate (TrainedRows).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { StatusReply } from "../protocols/index.js";
import { BenchStepError } from "./bench-errors.js";
import { ActorLogs, LogBook, waitForRecord, type LogRecord } from "./log-lines.js";
import { lastJsonLine, outputTail, runStep, type StepOutput } from "./subprocess.js";
import { TrainedRows } from "./trained-rows.js";

/** One finished operator command, with the wall times around it. */
export interface CommandRun {
  readonly output: StepOutput;
  /** Epoch ms just before the process was spawned. */
  readonly startedAt: number;
  /** Epoch ms once it had exited. */
  readonly endedAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ElasticCluster {
  readonly name: string;
  readonly runDir: string;
  /** The root supervisor's log lines, as `colony up --json` wrote them. */
  readonly supervisor = new LogBook();
  readonly actors: ActorLogs;
  readonly rows = new TrainedRows();
  readonly #root: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #up: Promise<StepOutput>;
  #following: Promise<void> | undefined;
  #exited = false;

  private constructor(opts: { root: string; name: string; runDir: string; env: NodeJS.ProcessEnv; config: string; sets: readonly string[]; stderrFile: string; timeoutMs: number }) {
    this.#root = opts.root;
    this.name = opts.name;
    this.runDir = opts.runDir;
    this.#env = opts.env;
    this.actors = new ActorLogs(opts.runDir);
    const args = ["dist/bin/colony.js", "up", opts.config, "--run-dir", opts.runDir, "--json", ...opts.sets.flatMap((s) => ["--set", s])];
    this.#up = runStep({
      command: process.execPath, args, cwd: opts.root, env: opts.env, timeoutMs: opts.timeoutMs, stderrFile: opts.stderrFile,
      onStderrLine: (line) => this.#onSupervisorLine(line),
    });
    void this.#up.then(() => { this.#exited = true; });
  }

  /** Starts `colony up CONFIG --json` with the given overrides in the background; resolves once it has spawned. */
  static async start(opts: { root: string; name: string; runDir: string; home: string; config: string; sets: readonly string[]; timeoutMs: number }): Promise<ElasticCluster> {
    await mkdir(opts.home, { recursive: true });
    await mkdir(opts.runDir, { recursive: true });
    return new ElasticCluster({
      ...opts,
      env: { ...process.env, COLONY_HOME: opts.home },
      sets: [`cluster=${opts.name}`, ...opts.sets],
      stderrFile: path.join(path.dirname(opts.runDir), `${opts.name}.supervisor.log`),
    });
  }

  #onSupervisorLine(line: string): void {
    this.supervisor.add(line);
    const last = this.supervisor.records.at(-1);
    if (this.#following === undefined && last?.msg === "nats ready" && typeof last.fields["url"] === "string") {
      this.#following = this.rows.follow(last.fields["url"], this.name).catch(() => undefined);
    }
  }

  /** Runs `colony ARGS…` against this cluster and returns its output; never throws for a non-zero exit. */
  async colony(args: readonly string[], timeoutMs = 60_000): Promise<CommandRun> {
    const startedAt = Date.now();
    const output = await runStep({ command: process.execPath, args: ["dist/bin/colony.js", ...args], cwd: this.#root, env: this.#env, timeoutMs });
    return { output, startedAt, endedAt: Date.now() };
  }

  /** `colony status --cluster NAME --json`, tried up to three times (a busy machine can time one out); throws BenchStepError when all fail. */
  async status(): Promise<StatusReply> {
    for (let attempt = 1; ; attempt++) {
      const { output } = await this.colony(["status", "--cluster", this.name, "--json"], 20_000);
      const line = lastJsonLine(output.stdout);
      if (output.exitCode === 0 && line !== undefined) return line as unknown as StatusReply;
      if (attempt === 3) throw new BenchStepError("colony status", output.exitCode, outputTail(output), "no status");
      await sleep(500);
    }
  }

  /** Polls `colony status` until `check` holds; throws BenchStepError after timeoutMs or when the cluster has exited. */
  async waitForStatus(what: string, check: (s: StatusReply) => boolean, timeoutMs: number): Promise<StatusReply> {
    const deadline = Date.now() + timeoutMs;
    let last: StatusReply | undefined;
    while (Date.now() < deadline) {
      if (this.#exited) throw new BenchStepError("colony up", (await this.#up).exitCode, outputTail(await this.#up), `exited while waiting for ${what}`);
      try {
        last = await this.status();
        if (check(last)) return last;
      } catch {
        // Not answering yet (starting up): look again.
      }
      await sleep(500);
    }
    const members = last?.members.map((m) => `${m.id}:${m.state}`).join(" ") ?? "no status";
    throw new BenchStepError("elasticity", null, "", `timed out waiting for ${what}; last status: ${members}`);
  }

  /** Waits for a supervisor line with message `msg` about child `child`, written at or after `since`. */
  async waitForSupervisor(msg: string, child: string, since: number, timeoutMs: number, extra?: (r: LogRecord) => boolean): Promise<LogRecord> {
    return waitForRecord(`the supervisor logging '${msg}' for ${child}`, this.supervisor,
      (r) => r.msg === msg && r.fields["child"] === child && r.time >= since && (extra === undefined || extra(r)), { timeoutMs });
  }

  /** `colony down`, then waits for `colony up` to exit; resolves with its output. */
  async down(timeoutMs: number): Promise<StepOutput> {
    if (!this.#exited) await this.colony(["down", "--cluster", this.name, "--json"], timeoutMs);
    const out = await this.#up;
    await this.rows.close();
    return out;
  }
}
