/**
 * Raw NATS request/reply throughput: the ceiling under Colony's pulls and pushes. A
 * responder in its own process (as a shard is) answers every request on one subject
 * with a fixed payload; the measuring process keeps `inFlight` requests outstanding for
 * a fixed time and counts replies. No msgpack, no validation, no model: only the client
 * library, the loopback socket and nats-server. Payload sizes are chosen by the caller
 * to match a pull reply (small request, big reply) or a push (big request, small reply).
 *
 * As a script: `node dist/bench/nats-request-throughput.js [--reply-bytes 524288,65536]
 * [--request-bytes 64] [--in-flight 4] [--seconds 5]` starts its own nats-server and
 * prints one JSON line per size. `--respond URL SUBJECT BYTES` is the responder's mode.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer } from "../supervisor/index.js";
import { BenchSetupError } from "./bench-errors.js";

/** One measured request/reply configuration. */
export interface RequestThroughput {
  readonly requestBytes: number;
  readonly replyBytes: number;
  readonly inFlight: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSec: number;
  /** Payload bytes per second, request and reply together, in MB/s (10^6). */
  readonly mbPerSec: number;
  /** Round-trip latency percentiles in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What to measure. */
export interface RequestThroughputOptions {
  /** Payload of each reply, in bytes. */
  readonly replyBytes: number;
  /** Payload of each request, in bytes. Default 64. */
  readonly requestBytes?: number;
  /** Requests kept outstanding. Default 4. */
  readonly inFlight?: number;
  /** Measured time, after a short warm-up. Default 5000. */
  readonly durationMs?: number;
  /** A running server to use; default: start an embedded one for this call. */
  readonly url?: string;
}

const WARMUP_MS = 500;
const REQUEST_TIMEOUT_MS = 10_000;
const RESPONDER_READY_MS = 15_000;

/** Sizes of one request/reply pair, in bytes. */
export interface MessageShape {
  readonly requestBytes: number;
  readonly replyBytes: number;
}

/** Measures one shape; resolves after the responder process and any server it started are gone. */
export async function measureRequestThroughput(opts: RequestThroughputOptions): Promise<RequestThroughput> {
  const [result] = await measureRequestThroughputs([{ requestBytes: opts.requestBytes ?? 64, replyBytes: opts.replyBytes }], opts);
  return result!;
}

/**
 * Measures each shape in turn, sharing one server (started here unless `url` is given).
 * Each shape gets its own responder process, started and stopped around it.
 */
export async function measureRequestThroughputs(
  shapes: readonly MessageShape[],
  opts: Omit<RequestThroughputOptions, "replyBytes" | "requestBytes">,
): Promise<RequestThroughput[]> {
  const storeDir = opts.url === undefined ? await mkdtemp(path.join(os.tmpdir(), "colony-bench-nats-")) : undefined;
  const server = storeDir === undefined ? undefined : await startNatsServer({ storeDir });
  const url = opts.url ?? server!.url;
  try {
    const results: RequestThroughput[] = [];
    for (const shape of shapes) results.push(await measureOne(url, { ...opts, ...shape }));
    return results;
  } finally {
    await server?.stop();
    if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true });
  }
}

async function measureOne(url: string, opts: RequestThroughputOptions): Promise<RequestThroughput> {
  const requestBytes = opts.requestBytes ?? 64;
  const inFlight = opts.inFlight ?? 4;
  const durationMs = opts.durationMs ?? 5000;
  const subject = `bench.rr.${process.pid}.${requestBytes}.${opts.replyBytes}`;
  const responder = await startResponder(url, subject, opts.replyBytes);
  const nc = await connect({ servers: url });
  try {
    const payload = new Uint8Array(requestBytes).fill(7);
    const latencies: number[] = [];
    let phase: "warmup" | "measure" | "done" = "warmup";
    let requests = 0;
    const loop = async (): Promise<void> => {
      while (phase !== "done") {
        const t = performance.now();
        const reply = await nc.request(subject, payload, { timeout: REQUEST_TIMEOUT_MS });
        if (reply.data.byteLength !== opts.replyBytes) {
          throw new Error(`reply of ${reply.data.byteLength} bytes, expected ${opts.replyBytes}`);
        }
        if (phase === "measure") {
          requests++;
          latencies.push(performance.now() - t);
        }
      }
    };
    const loops = Array.from({ length: inFlight }, loop);
    await sleep(WARMUP_MS);
    phase = "measure";
    const started = performance.now();
    await sleep(durationMs);
    // Requests still in flight finish after this point and are not counted.
    const seconds = (performance.now() - started) / 1000;
    const counted = requests;
    phase = "done";
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN, 3);
    return {
      requestBytes,
      replyBytes: opts.replyBytes,
      inFlight,
      seconds: round(seconds, 3),
      requests: counted,
      requestsPerSec: round(counted / seconds, 1),
      mbPerSec: round((counted * (requestBytes + opts.replyBytes)) / seconds / 1e6, 2),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
    };
  } finally {
    await nc.close();
    responder.kill("SIGTERM");
    if (responder.exitCode === null && responder.signalCode === null) await once(responder, "exit");
  }
}

/** Starts this module in responder mode and resolves once it is subscribed. */
async function startResponder(url: string, subject: string, replyBytes: number): Promise<ChildProcess> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [self, "--respond", url, subject, String(replyBytes)], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchSetupError(`NATS responder not ready within ${RESPONDER_READY_MS} ms`)), RESPONDER_READY_MS);
    createInterface({ input: child.stdout! }).once("line", () => {
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new BenchSetupError(`NATS responder exited with ${code} before it was ready`));
    });
  });
  try {
    await ready;
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return child;
}

/** Responder mode: answers every request on `subject` with `replyBytes` bytes until SIGTERM. */
async function respond(url: string, subject: string, replyBytes: number): Promise<void> {
  const nc: NatsConnection = await connect({ servers: url });
  const reply = new Uint8Array(replyBytes).fill(3);
  nc.subscribe(subject, { callback: (err, msg) => { if (err === null) msg.respond(reply); } });
  await nc.flush();
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  await nc.close();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--respond") {
    const [, url, subject, bytes] = argv;
    if (url === undefined || subject === undefined || bytes === undefined) throw new BenchSetupError("usage: --respond URL SUBJECT BYTES");
    await respond(url, subject, Number(bytes));
    return;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      "reply-bytes": { type: "string", default: "524288,65536" },
      "request-bytes": { type: "string", default: "64" },
      "in-flight": { type: "string", default: "4" },
      seconds: { type: "string", default: "5" },
      url: { type: "string" },
    },
  });
  const requestBytes = Number(values["request-bytes"]);
  const shapes = values["reply-bytes"].split(",").map((s) => ({ requestBytes, replyBytes: Number(s) }));
  const results = await measureRequestThroughputs(shapes, {
    inFlight: Number(values["in-flight"]),
    durationMs: Number(values.seconds) * 1000,
    url: values.url,
  });
  for (const r of results) process.stdout.write(`${JSON.stringify({ bench: "nats-request-throughput", ...r })}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
