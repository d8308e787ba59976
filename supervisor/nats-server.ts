/**
 * The embedded NATS launcher: starts one local `nats-server` with JetStream on (loopback
 * only, free ports, a given store dir), waits until it is really usable, and stops,
 * signals or restarts it on the same port and store. `colony up` uses it when no NATS
 * URL is configured; tests, chaos scenarios and benchmarks use it through
 * test/helpers/nats-harness.ts. It knows nothing about Colony's streams or subjects.
 *
 * Orphans. A child stays alive when its parent dies unless something kills it:
 * - normal exit of the parent: an `exit` hook here sends SIGTERM to every server still
 *   running (the server then shuts down cleanly on its own);
 * - SIGINT/SIGTERM of the parent: the caller owns its signal handlers and calls stop();
 *   this module doesn't install any (a library that did would change how its host exits);
 * - SIGKILL or a crash of the parent: on Linux the server is started through util-linux
 *   `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM when the thread that
 *   spawned it dies. That thread must outlive the server: start it from the main thread,
 *   not a worker thread that may end first. Without setpriv (other OSes, minimal images)
 *   this last case is not covered and a SIGKILLed parent leaves the server running.
 * Keeping the server in our process group only helps with a terminal's Ctrl-C, which is
 * why the death signal is needed at all.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, open, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createConnection, createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { findNatsServer } from "./nats-binary.js";

export { findNatsServer, NatsServerNotFoundError } from "./nats-binary.js";

const LOOPBACK = "127.0.0.1";
const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** How to start an embedded nats-server. */
export interface NatsServerOptions {
  /** JetStream store directory; created if missing. The config and log files go here too. */
  readonly storeDir: string;
  /** max_payload in bytes. Default 16 MiB (the cluster config's default). */
  readonly maxPayload?: number;
  /** Client port on 127.0.0.1. Default: a free port, picked once and kept across restarts. */
  readonly port?: number;
  /** HTTP monitoring port on 127.0.0.1. Default: a free port. */
  readonly monitorPort?: number;
  /** Where the server's stdout and stderr go (appended). Default `<storeDir>/nats-server.log`. */
  readonly logFile?: string;
  /** Path of the nats-server binary. Default: found on PATH or in /usr/sbin. */
  readonly binary?: string;
  /** How long to wait for the server to accept clients with JetStream ready. Default 15000. */
  readonly startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** Receives start, stop and unexpected-exit records; silent when absent. */
  readonly logger?: Logger;
}

/** A running (or stopped, restartable) embedded nats-server. */
export interface NatsServerHandle {
  /** Client URL, `nats://127.0.0.1:PORT`; stable across restarts. */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** Monitoring base URL, `http://127.0.0.1:PORT`. */
  readonly monitorUrl: string;
  /** Pid of the current server process; changes on restart. */
  readonly pid: number;
  readonly storeDir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** True from a successful start until the process exits. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after stopTimeoutMs; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) without waiting; for fault injection. */
  kill(signal?: NodeJS.Signals): void;
  /** Stops the server if it runs, keeps it down `downMs` (default 0), then starts it again on the same ports and store. */
  restart(downMs?: number): Promise<void>;
}

/** The server exited or never became ready during start. May succeed on retry. */
export class NatsServerStartError extends Error {
  override readonly name = "NatsServerStartError";
  constructor(
    reason: string,
    readonly logFile: string,
    readonly logTail: string,
    readonly exitCode: number | null = null,
    readonly signal: NodeJS.Signals | null = null,
  ) {
    super(`nats-server ${reason}; last lines of ${logFile}:\n${logTail}`);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, release). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === "object") resolvePort(addr.port);
        else reject(new Error("could not read the port of a bound socket"));
      });
    });
  });
}

let pdeathsigWrapper: string | null | undefined;

/** `setpriv` when it supports --pdeathsig (Linux util-linux >= 2.33), else null. Cached. */
function deathSignalWrapper(): string | null {
  if (pdeathsigWrapper !== undefined) return pdeathsigWrapper;
  pdeathsigWrapper = null;
  if (process.platform === "linux") {
    for (const path of ["/usr/bin/setpriv", "/bin/setpriv"]) {
      const probe = spawnSync(path, ["--help"], { encoding: "utf8", timeout: 2000 });
      if (probe.status === 0 && probe.stdout.includes("--pdeathsig")) {
        pdeathsigWrapper = path;
        break;
      }
    }
  }
  return pdeathsigWrapper;
}

// Servers still running in this process, terminated by the exit hook below.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of live) c.kill("SIGTERM");
    });
  }
}

/** Resolves when something accepts a TCP connection on 127.0.0.1:port. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = createConnection({ host: LOOPBACK, port });
    const finish = (ok: boolean) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(1000, () => finish(false));
    sock.once("connect", () => finish(true));
    sock.once("error", () => finish(false));
  });
}

/** True when the monitor answers 200 to the JetStream health check. */
function jetStreamHealthy(monitorPort: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request(
      { host: LOOPBACK, port: monitorPort, path: "/healthz?js-enabled-only=true", agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        done(res.statusCode === 200);
      },
    );
    req.once("timeout", () => req.destroy());
    req.once("error", () => done(false));
    req.end();
  });
}

/** Last `lines` lines of a log file written after byte `from` ("" when unreadable). */
async function tail(path: string, from: number, lines = 25): Promise<string> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const len = Math.max(0, Math.min(size - from, 16 * 1024));
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
}

class NatsServer implements NatsServerHandle {
  readonly url: string;
  readonly monitorUrl: string;
  #current: Running | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    readonly monitorPort: number,
    readonly storeDir: string,
    readonly configFile: string,
    readonly logFile: string,
    readonly binary: string,
    readonly startTimeoutMs: number,
    readonly stopTimeoutMs: number,
    readonly logger: Logger | undefined,
  ) {
    this.url = `nats://${LOOPBACK}:${port}`;
    this.monitorUrl = `http://${LOOPBACK}:${monitorPort}`;
  }

  get pid(): number {
    return this.#current?.child.pid ?? -1;
  }

  get running(): boolean {
    return this.#current !== undefined && this.#current.exit === undefined;
  }

  /** Spawns the server and resolves once clients can connect and JetStream is ready. */
  async start(): Promise<void> {
    const log = await open(this.logFile, "a");
    // Error reports quote only what this start wrote, not earlier runs appended before it.
    const logStart = (await log.stat()).size;
    let child: ChildProcess;
    try {
      const wrapper = deathSignalWrapper();
      const [cmd, args] =
        wrapper === null
          ? [this.binary, ["-c", this.configFile]]
          : [wrapper, ["--pdeathsig", "TERM", "--", this.binary, "-c", this.configFile]];
      child = spawn(cmd, args, { stdio: ["ignore", log.fd, log.fd] });
    } finally {
      await log.close(); // the child holds its own copy of the descriptor
    }
    const running: Running = {
      child,
      exit: undefined,
      exited: new Promise<Exit>((done) => {
        child.once("exit", (code, signal) => done({ code, signal }));
        // Spawn failures (EACCES, ENOENT) arrive as 'error' without 'exit'.
        child.once("error", () => done({ code: null, signal: null }));
      }),
    };
    this.#current = running;
    track(child);
    void running.exited.then((exit) => {
      running.exit = exit;
      live.delete(child);
      if (this.#stopping === undefined && this.#current === running) {
        this.logger?.warn({ pid: child.pid, ...exit, port: this.port }, "nats-server exited");
      }
    });

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (running.exit !== undefined) {
        const { code, signal } = running.exit;
        throw new NatsServerStartError(
          `exited during start (code ${String(code)}, signal ${String(signal)})`,
          this.logFile,
          await tail(this.logFile, logStart),
          code,
          signal,
        );
      }
      if ((await canConnect(this.port)) && (await jetStreamHealthy(this.monitorPort))) break;
      if (Date.now() > deadline) {
        await this.#terminate(running);
        throw new NatsServerStartError(
          `not ready with JetStream within ${this.startTimeoutMs} ms`,
          this.logFile,
          await tail(this.logFile, logStart),
        );
      }
      await sleep(25);
    }
    this.logger?.debug({ pid: child.pid, url: this.url, storeDir: this.storeDir }, "nats-server ready");
  }

  /** SIGTERM, then SIGKILL after stopTimeoutMs; resolves after exit. */
  async #terminate(running: Running): Promise<void> {
    if (running.exit !== undefined) return;
    running.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), this.stopTimeoutMs);
    });
    const first = await Promise.race([running.exited, forced]);
    clearTimeout(timer);
    if (first === "timeout") {
      this.logger?.warn({ pid: running.child.pid }, "nats-server ignored SIGTERM; sending SIGKILL");
      running.child.kill("SIGKILL");
      await running.exited;
    }
  }

  stop(): Promise<void> {
    const running = this.#current;
    if (running === undefined || running.exit !== undefined) return Promise.resolve();
    this.#stopping ??= this.#terminate(running).finally(() => {
      this.#stopping = undefined;
      this.logger?.debug({ pid: running.child.pid, port: this.port }, "nats-server stopped");
    });
    return this.#stopping;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    const running = this.#current;
    if (running !== undefined && running.exit === undefined) running.child.kill(signal);
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    // After kill(): wait for the old process to be gone before reusing its port.
    if (this.#current !== undefined) await this.#current.exited;
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }
}

/** The port a failed start could not bind, from nats-server's fatal log line. */
function clashedPort(log: string): number | undefined {
  const m = /:(\d+): bind: address already in use/.exec(log);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function configText(o: { port: number; monitorPort: number; maxPayload: number; storeDir: string; name: string }): string {
  // JSON string syntax is valid for quoted strings in the NATS config format.
  return [
    "# Written by Colony (supervisor/nats-server.ts) on every start; edits are overwritten.",
    `server_name: ${JSON.stringify(o.name)}`,
    `listen: ${JSON.stringify(`${LOOPBACK}:${o.port}`)}`,
    `http: ${JSON.stringify(`${LOOPBACK}:${o.monitorPort}`)}`,
    `max_payload: ${o.maxPayload}`,
    "jetstream {",
    `  store_dir: ${JSON.stringify(o.storeDir)}`,
    "}",
    "",
  ].join("\n");
}

/**
 * Starts a loopback nats-server with JetStream on. Resolves only once it accepts TCP
 * connections and its monitor reports JetStream healthy; rejects with
 * NatsServerNotFoundError (no binary) or NatsServerStartError (with the log's tail).
 */
export async function startNatsServer(opts: NatsServerOptions): Promise<NatsServerHandle> {
  const binary = await findNatsServer(opts.binary);
  const storeDir = resolve(opts.storeDir);
  await mkdir(storeDir, { recursive: true });
  const logFile = resolve(opts.logFile ?? join(storeDir, "nats-server.log"));
  const configFile = join(storeDir, "nats-server.conf");
  const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  // A port we picked can be taken by someone else between probe and bind: pick again.
  // A clash on a port the caller chose is final.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const monitorPort = opts.monitorPort ?? (await freePort());
    await writeFile(configFile, configText({ port, monitorPort, maxPayload, storeDir, name: `colony-${port}` }));
    const server = new NatsServer(
      port,
      monitorPort,
      storeDir,
      configFile,
      logFile,
      binary,
      opts.startTimeoutMs ?? 15_000,
      opts.stopTimeoutMs ?? 5_000,
      opts.logger,
    );
    try {
      await server.start();
      return server;
    } catch (err) {
      await server.stop();
      const clash = err instanceof NatsServerStartError ? clashedPort(err.logTail) : undefined;
      const ours = clash !== undefined && clash !== opts.port && clash !== opts.monitorPort;
      if (!ours || attempt >= 3) throw err;
      opts.logger?.debug({ port: clash, attempt }, "nats-server port taken since probed; retrying");
    }
  }
}
