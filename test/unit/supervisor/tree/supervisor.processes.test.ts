/**
 * The supervisor with real OS processes (small `node -e` scripts), on real time:
 * a crash loop trips the intensity limit and escalates to the root, a SIGSTOPped child
 * reported unresponsive is killed and replaced, and stop() leaves no process behind —
 * not even one that ignores SIGTERM.
 */
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  childProcessHandle, EscalationError, RestartType, Strategy, Supervisor, systemClock,
  type ChildHandle, type SupervisorEvent, type SupervisorSpec, type WorkerChildSpec,
} from "../../../../supervisor/tree/index.js";

/** Stays alive until signalled; says "ready" once its signal handlers are in place. */
const SLEEPER = "setInterval(() => {}, 1000); process.stdout.write('ready\\n');";
/** Ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.stdout.write('ready\\n');";
/** Crashes as soon as it runs. */
const CRASHER = "process.stdout.write('ready\\n'); process.exit(3);";

/** Every pid these tests spawned, killed after each test whatever happened. */
const spawned = new Set<number>();

afterEach(() => {
  for (const pid of spawned) {
    try {
      process.kill(pid, "SIGKILL");
    } catch { /* already gone: what the tests want */ }
  }
  spawned.clear();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A worker child running `script` in a fresh node; start() resolves once it printed "ready" (or exited). */
function nodeChild(id: string, script: string, shutdownMs = 2000): WorkerChildSpec {
  return {
    kind: "worker",
    id,
    restart: RestartType.Permanent,
    shutdownMs,
    start: async (): Promise<ChildHandle> => {
      const cp = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      const handle = childProcessHandle(cp);
      spawned.add(handle.pid);
      await new Promise<void>((resolve) => {
        cp.stdout?.once("data", () => resolve());
        void handle.exited.then(() => resolve());
      });
      return handle;
    },
  };
}

function tree(fields: Partial<SupervisorSpec> & Pick<SupervisorSpec, "children">): SupervisorSpec {
  return { id: "root", strategy: Strategy.OneForOne, intensity: 5, periodMs: 10_000, backoff: { initialMs: 10, maxMs: 100, multiplier: 2, jitter: 0.2 }, ...fields };
}

const real = (spec: SupervisorSpec): Supervisor => new Supervisor(spec, { clock: systemClock, random: Math.random });

/** Resolves with the first event that matches, or rejects after `ms`. */
function nextEvent(sup: Supervisor, match: (e: SupervisorEvent) => boolean, ms = 5000): Promise<SupervisorEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error("no matching event in time")); }, ms);
    const off = sup.on((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

describe("Supervisor with real processes", () => {
  it("escalates to the root when a child crashes in a loop, and leaves no process", async () => {
    const sup = real(tree({
      intensity: 0,
      children: [
        nodeChild("steady", SLEEPER),
        { kind: "supervisor", id: "workers", spec: tree({ id: "workers", intensity: 2, children: [nodeChild("crasher", CRASHER)] }) },
      ],
    }));
    const started: number[] = [];
    sup.on((e) => { if (e.type === "child.started" && e.pid !== null) started.push(e.pid); });
    await sup.start();
    const err = await sup.failed;
    expect(err).toBeInstanceOf(EscalationError);
    expect(err).toMatchObject({ supervisor: "root", child: "workers", origin: { supervisor: "workers", child: "crasher", exit: { code: 3, signal: null } } });
    expect(err.message).toMatch(/restart intensity/);
    expect(started.length).toBeGreaterThanOrEqual(4); // steady, and the crasher three times
    expect(started.filter(alive)).toEqual([]);
  });

  it("kills a SIGSTOPped child reported unresponsive and replaces it with a new process", async () => {
    const sup = real(tree({ children: [nodeChild("frozen", SLEEPER)] }));
    await sup.start();
    const old = sup.children()[0]!.pid!;
    process.kill(old, "SIGSTOP");
    const replaced = nextEvent(sup, (e) => e.type === "child.started" && e.attempt === 1);
    expect(sup.reportUnresponsive("frozen", "no heartbeat for 5000 ms")).toBe(true);
    const started = await replaced;
    expect(alive(old)).toBe(false);
    const fresh = started.type === "child.started" ? started.pid! : -1;
    expect([fresh !== old, alive(fresh)]).toEqual([true, true]);
    await sup.stop();
    expect(alive(fresh)).toBe(false);
  });

  it("stops every process, SIGKILLing one that ignores SIGTERM after its shutdownMs", async () => {
    const sup = real(tree({
      children: [
        nodeChild("a", SLEEPER),
        nodeChild("stubborn", STUBBORN, 300),
        { kind: "supervisor", id: "workers", spec: tree({ id: "workers", children: [nodeChild("w0", SLEEPER), nodeChild("w1", SLEEPER)] }) },
      ],
    }));
    const exits: Record<string, unknown> = {};
    sup.on((e) => { if (e.type === "child.exited") exits[e.child] = e.exit; });
    await sup.start();
    const pids = [...spawned];
    expect(pids.filter(alive)).toHaveLength(4);
    const t0 = Date.now();
    await sup.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(pids.filter(alive)).toEqual([]);
    expect(exits).toMatchObject({ stubborn: { code: null, signal: "SIGKILL" }, a: { code: null, signal: "SIGTERM" }, w0: { signal: "SIGTERM" } });
  });
});
