/**
 * The real-server harness for tests, chaos scenarios and benchmarks: a loopback
 * nats-server with JetStream on, in a fresh temp store dir that is removed afterwards.
 * A thin layer over supervisor/nats-server.ts, so tests exercise the launcher that
 * `colony up` uses.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNatsServer, type NatsServerHandle, type NatsServerOptions } from "../../supervisor/nats-server.js";

/** A started test server: its URL, its handle (stop, kill, restart) and its store. */
export interface TestNats {
  readonly url: string;
  readonly server: NatsServerHandle;
  readonly storeDir: string;
  /** Stops the server and deletes its temp dir. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Launcher options a test may set; the store dir is always a fresh temp dir. */
export type TestNatsOptions = Omit<NatsServerOptions, "storeDir">;

/** Starts a server in a new temp dir; the caller must await cleanup(). */
export async function startTestNats(options: TestNatsOptions = {}): Promise<TestNats> {
  const dir = await mkdtemp(join(tmpdir(), "colony-nats-"));
  let server: NatsServerHandle;
  try {
    server = await startNatsServer({ startTimeoutMs: 20_000, ...options, storeDir: join(dir, "store") });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let cleaned: Promise<void> | undefined;
  return {
    url: server.url,
    server,
    storeDir: server.storeDir,
    cleanup: () =>
      (cleaned ??= (async () => {
        try {
          await server.stop();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })()),
  };
}

/** Runs `fn` against a fresh server and cleans up whether `fn` resolves or throws. */
export async function withNats<T>(fn: (nats: TestNats) => Promise<T>, options: TestNatsOptions = {}): Promise<T> {
  const nats = await startTestNats(options);
  try {
    return await fn(nats);
  } finally {
    await nats.cleanup();
  }
}
