import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  NatsServerNotFoundError,
  NatsServerStartError,
  startNatsServer,
} from "../../../supervisor/nats-server.js";
import { startTestNats, withNats } from "../../helpers/nats-harness.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True while a process with this pid exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A dead child whose parent is gone may linger as a zombie until init reaps it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return existsSync(`/proc/${pid}`) || process.platform !== "linux";
  }
}

/** True when a listener can bind 127.0.0.1:port right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv: Server = createServer();
    srv.once("error", () => done(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => done(true)));
  });
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}

describe("startNatsServer", { timeout: 30_000 }, () => {
  it("starts a server that relays a publish to a subscriber", async () => {
    await withNats(async ({ url }) => {
      const nc = await connect({ servers: url });
      try {
        const sub = nc.subscribe("colony.test.echo", { max: 1 });
        nc.publish("colony.test.echo", "hello");
        for await (const m of sub) expect(m.string()).toBe("hello");
      } finally {
        await nc.close();
      }
    });
  });

  it("resolves only when JetStream is ready: a stream can be created at once", async () => {
    await withNats(async ({ url }) => {
      const nc = await connect({ servers: url });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.add({ name: "T", subjects: ["t.>"] });
        expect(info.config.name).toBe("T");
        const ack = await jetstream(nc).publish("t.1", "x");
        expect(ack.seq).toBe(1);
      } finally {
        await nc.close();
      }
    });
  });

  it("listens on loopback only, with the configured max payload", async () => {
    await withNats(
      async ({ url, server }) => {
        expect(url).toBe(`nats://127.0.0.1:${server.port}`);
        const nc = await connect({ servers: url });
        try {
          expect(nc.info?.max_payload).toBe(2 * 1024 * 1024);
        } finally {
          await nc.close();
        }
        expect(await readFile(server.configFile, "utf8")).toContain(`listen: "127.0.0.1:${server.port}"`);
      },
      { maxPayload: 2 * 1024 * 1024 },
    );
  });

  it("stop() leaves no process behind and frees the port", async () => {
    const nats = await startTestNats();
    const { pid, port } = nats.server;
    expect(alive(pid)).toBe(true);
    await nats.cleanup();
    expect(nats.server.running).toBe(false);
    expect(alive(pid)).toBe(false);
    expect(await portFree(port)).toBe(true);
    expect(existsSync(nats.storeDir)).toBe(false);
  });

  it("stop() twice is harmless", async () => {
    const nats = await startTestNats();
    try {
      await Promise.all([nats.server.stop(), nats.server.stop()]);
      await nats.server.stop();
      expect(nats.server.running).toBe(false);
    } finally {
      await nats.cleanup();
    }
  });

  it("restart() comes back on the same port with its streams and messages", async () => {
    await withNats(async ({ url, server }) => {
      const before = { port: server.port, pid: server.pid };
      let nc = await connect({ servers: url });
      await (await jetstreamManager(nc)).streams.add({ name: "KEEP", subjects: ["keep.>"] });
      await jetstream(nc).publish("keep.a", "1");
      await jetstream(nc).publish("keep.a", "2");
      await nc.close();

      await server.restart();
      expect(server.port).toBe(before.port);
      expect(server.pid).not.toBe(before.pid);
      expect(alive(before.pid)).toBe(false);

      nc = await connect({ servers: url });
      try {
        const info = await (await jetstreamManager(nc)).streams.info("KEEP");
        expect(info.state.messages).toBe(2);
        expect(info.state.last_seq).toBe(2);
      } finally {
        await nc.close();
      }
    });
  });

  it("restart() after kill('SIGKILL') comes back with the stream", async () => {
    await withNats(async ({ url, server }) => {
      let nc = await connect({ servers: url });
      await (await jetstreamManager(nc)).streams.add({ name: "CRASH", subjects: ["crash.>"] });
      await nc.close();

      const pid = server.pid;
      server.kill("SIGKILL");
      expect(await waitFor(() => !server.running, 5000)).toBe(true);
      expect(alive(pid)).toBe(false);

      await server.restart();
      nc = await connect({ servers: url });
      try {
        const names: string[] = [];
        for await (const n of (await jetstreamManager(nc)).streams.names()) names.push(n);
        expect(names).toContain("CRASH");
      } finally {
        await nc.close();
      }
    });
  });

  it("fails with NatsServerNotFoundError pointing at npm run setup when the binary is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "colony-nats-"));
    try {
      const start = startNatsServer({ storeDir: dir, binary: join(dir, "no-such-nats-server") });
      await expect(start).rejects.toBeInstanceOf(NatsServerNotFoundError);
      await expect(start).rejects.toThrow(/npm run setup.*apt-get install nats-server/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails with NatsServerStartError carrying the log tail when its port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const address = blocker.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const dir = await mkdtemp(join(tmpdir(), "colony-nats-"));
    try {
      const err = await startNatsServer({ storeDir: dir, port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NatsServerStartError);
      expect((err as NatsServerStartError).logTail).toMatch(/address already in use/);
      expect((err as Error).message).toContain("nats-server.log");
    } finally {
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(process.platform !== "linux" || !existsSync("/usr/bin/setpriv"))(
    "does not outlive a parent process that is SIGKILLed",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "colony-nats-"));
      try {
        // The parent runs the launcher's own source (and the binary finder it imports),
        // transpiled, so it tests these files.
        const transpile = async (file: string): Promise<string> => ts.transpileModule(await readFile(join(ROOT, file), "utf8"), {
          compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        }).outputText;
        await writeFile(join(dir, "nats-server.mjs"), await transpile("supervisor/nats-server.ts"));
        await writeFile(join(dir, "nats-binary.js"), await transpile("supervisor/nats-binary.ts"));
        await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
        await writeFile(
          join(dir, "parent.mjs"),
          `import { startNatsServer } from "./nats-server.mjs";
           const s = await startNatsServer({ storeDir: ${JSON.stringify(join(dir, "store"))} });
           process.stdout.write(JSON.stringify({ pid: s.pid, port: s.port }) + "\\n");
           setInterval(() => {}, 1000);`,
        );
        const parent = spawn(process.execPath, [join(dir, "parent.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
        const line = await new Promise<string>((resolveLine, reject) => {
          let buf = "";
          parent.stdout.on("data", (d: Buffer) => {
            buf += d.toString();
            if (buf.includes("\n")) resolveLine(buf.split("\n")[0] ?? "");
          });
          parent.once("exit", (code) => reject(new Error(`parent exited early with ${String(code)}`)));
        });
        const { pid, port } = JSON.parse(line) as { pid: number; port: number };
        expect(alive(pid)).toBe(true);
        parent.kill("SIGKILL");
        expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
        expect(await waitFor(() => portFree(port), 5_000)).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
