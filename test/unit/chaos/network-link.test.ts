import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NetworkLink } from "../../../chaos/index.js";

/** An echo server: what the link carries there comes back. */
let echo: Server;
let link: NetworkLink;

async function client(): Promise<{ socket: Socket; received: () => string; waitFor: (text: string, ms?: number) => Promise<number> }> {
  const port = Number(new URL(link.url).port);
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((r) => socket.once("connect", () => r()));
  let got = "";
  socket.on("data", (c: Buffer) => { got += c.toString(); });
  return {
    socket,
    received: () => got,
    waitFor: async (text, ms = 3000) => {
      const t0 = Date.now();
      while (!got.includes(text)) {
        if (Date.now() - t0 > ms) throw new Error(`did not receive '${text}' in ${ms} ms (got '${got}')`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return Date.now() - t0;
    },
  };
}

beforeEach(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  link = await NetworkLink.open({ host: "127.0.0.1", port: (echo.address() as { port: number }).port });
});
afterEach(async () => {
  await link.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

describe("network links", () => {
  it("pass bytes through unchanged and in order when healthy", async () => {
    const c = await client();
    const text = Array.from({ length: 2000 }, (_, i) => `m${i};`).join("");
    c.socket.write(text);
    await c.waitFor("m1999;");
    expect(c.received()).toBe(text);
    c.socket.destroy();
  });

  it("hold everything during a partition and deliver it, in order, on heal", async () => {
    const c = await client();
    link.partition();
    c.socket.write("a;");
    c.socket.write("b;");
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received()).toBe("");
    link.heal();
    await c.waitFor("b;");
    expect(c.received()).toBe("a;b;");
    c.socket.destroy();
  });

  it("hold new connections made during a partition too", async () => {
    link.partition();
    const c = await client();
    c.socket.write("late;");
    await new Promise((r) => setTimeout(r, 200));
    expect(c.received()).toBe("");
    link.heal();
    await c.waitFor("late;");
    c.socket.destroy();
  });

  it("add latency each way, keeping order, until healed", async () => {
    const c = await client();
    link.setLatency(150);
    const t0 = Date.now();
    c.socket.write("x;");
    c.socket.write("y;");
    await c.waitFor("y;");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280); // there and back
    expect(c.received()).toBe("x;y;");
    link.heal();
    const t1 = Date.now();
    c.socket.write("z;");
    await c.waitFor("z;");
    expect(Date.now() - t1).toBeLessThan(150);
    c.socket.destroy();
  });

  it("stall some chunks under loss, never reorder or drop them", async () => {
    const c = await client();
    link.setLoss(0.5, 50);
    const parts = Array.from({ length: 40 }, (_, i) => `p${i};`);
    for (const p of parts) {
      c.socket.write(p);
      await new Promise((r) => setTimeout(r, 2));
    }
    await c.waitFor("p39;", 10_000);
    expect(c.received()).toBe(parts.join(""));
    c.socket.destroy();
  });
});
