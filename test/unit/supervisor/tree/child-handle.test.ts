/**
 * childProcessHandle: a node ChildProcess seen as a ChildHandle — its pid, an exit
 * promise that resolves once (even if the exit came first), kill that is harmless after
 * the exit, and a typed SpawnError instead of a crash when the spawn failed.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import type { ActorProcess } from "../../../../supervisor/index.js";
import { childProcessHandle, SpawnError, type ChildHandle } from "../../../../supervisor/tree/index.js";

const node = (script: string) => spawn(process.execPath, ["-e", script], { stdio: "ignore" });

describe("childProcessHandle", () => {
  it("reports the exit code of a process that exits by itself", async () => {
    const cp = node("process.exit(7)");
    const handle = childProcessHandle(cp);
    expect(handle.pid).toBe(cp.pid);
    expect(await handle.exited).toEqual({ code: 7, signal: null });
  });

  it("delivers signals and reports the one that killed the process; kill after the exit does nothing", async () => {
    const handle = childProcessHandle(node("setInterval(() => {}, 1000)"));
    handle.kill("SIGKILL");
    expect(await handle.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(() => handle.kill("SIGTERM")).not.toThrow();
  });

  it("resolves at once for a process that had already exited when it was wrapped", async () => {
    const cp = node("process.exit(0)");
    await once(cp, "exit");
    expect(await childProcessHandle(cp).exited).toEqual({ code: 0, signal: null });
  });

  it("throws SpawnError for a process that never started, without an unhandled 'error' event", async () => {
    const cp = spawn("/nonexistent/colony-test-binary", [], { stdio: "ignore" });
    expect(() => childProcessHandle(cp)).toThrow(SpawnError);
    // The 'error' event still comes; with no listener it would crash the test process.
    await new Promise((r) => setTimeout(r, 50));
  });

  it("accepts an ActorProcess as a ChildHandle as it is", () => {
    // A compile-time fact, checked by the type checker over the test suite.
    const fits = (p: ActorProcess): ChildHandle => p;
    expect(typeof fits).toBe("function");
  });
});
