/**
 * Fake children for supervisor tests: handles whose exit the test triggers, on
 * xstate's SimulatedClock. A FakeSystem hands out worker specs and records one
 * timeline of what happened to its children — `start:a`, `term:a` (SIGTERM received),
 * `kill:a` (SIGKILL received), `exit:a` — so a test can assert exactly which children a
 * strategy touched and in which order. Each test builds its own system.
 */
import { SimulatedClock } from "xstate";
import {
  RestartType, Strategy, Supervisor,
  type ChildExit, type ChildHandle, type SupervisorEvent, type SupervisorSpec, type WorkerChildSpec,
} from "../../../../../supervisor/tree/index.js";

interface ChildHooks {
  onSignal(signal: NodeJS.Signals): void;
  onEnd(exit: ChildExit): void;
}

/** A child process stand-in: exits when the test says, or when signalled (unless it ignores SIGTERM). */
export class FakeChild implements ChildHandle {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  readonly signals: NodeJS.Signals[] = [];
  #resolve: (exit: ChildExit) => void = () => undefined;
  #alive = true;
  readonly #ignoresSigterm: boolean;
  readonly #hooks: ChildHooks;

  constructor(pid: number, ignoresSigterm: boolean, hooks: ChildHooks) {
    this.pid = pid;
    this.#ignoresSigterm = ignoresSigterm;
    this.#hooks = hooks;
    this.exited = new Promise((resolve) => { this.#resolve = resolve; });
  }

  get alive(): boolean {
    return this.#alive;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (!this.#alive) return;
    this.signals.push(signal);
    this.#hooks.onSignal(signal);
    if (signal === "SIGTERM" && this.#ignoresSigterm) return;
    // An actor exits 0 on SIGTERM (it stops its machine); SIGKILL can't be handled.
    this.#end(signal === "SIGTERM" ? { code: 0, signal: null } : { code: null, signal });
  }

  /** The process exits by itself with `code`. */
  exit(code: number): void {
    this.#end({ code, signal: null });
  }

  /** The process dies of `signal` (a crash, or kill -9 from outside). */
  die(signal: NodeJS.Signals = "SIGKILL"): void {
    this.#end({ code: null, signal });
  }

  #end(exit: ChildExit): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#hooks.onEnd(exit);
    this.#resolve(exit);
  }
}

export interface FakeWorkerOptions {
  readonly restart?: RestartType;
  readonly shutdownMs?: number;
  readonly ignoresSigterm?: boolean;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = { SIGTERM: "term", SIGKILL: "kill" };

/** Hands out fake worker specs and records what happens to their children. */
export class FakeSystem {
  readonly clock = new SimulatedClock();
  /** Everything that happened to any child, in order. */
  readonly timeline: string[] = [];
  /** Ids whose next start() throws. */
  readonly failingStarts = new Set<string>();
  readonly #current = new Map<string, FakeChild>();
  #nextPid = 1000;

  worker(id: string, opts: FakeWorkerOptions = {}): WorkerChildSpec {
    return {
      kind: "worker",
      id,
      restart: opts.restart ?? RestartType.Permanent,
      shutdownMs: opts.shutdownMs ?? 1000,
      start: () => {
        if (this.failingStarts.has(id)) {
          this.timeline.push(`start-failed:${id}`);
          throw new Error(`cannot start ${id}`);
        }
        const child = new FakeChild(this.#nextPid++, opts.ignoresSigterm ?? false, {
          onSignal: (signal) => this.timeline.push(`${SIGNAL_WORDS[signal] ?? signal}:${id}`),
          onEnd: () => this.timeline.push(`exit:${id}`),
        });
        this.#current.set(id, child);
        this.timeline.push(`start:${id}`);
        return child;
      },
    };
  }

  /** The latest incarnation of child `id`. */
  child(id: string): FakeChild {
    const c = this.#current.get(id);
    if (c === undefined) throw new Error(`${id} was never started`);
    return c;
  }

  /** Timeline entries from `from` on (an index taken with `mark()`). */
  since(from: number): string[] {
    return this.timeline.slice(from);
  }

  mark(): number {
    return this.timeline.length;
  }

  /** Lets the supervisor act on what already happened, moves simulated time forward, and lets it act on what fired. */
  async advance(ms: number): Promise<void> {
    await settle();
    this.clock.increment(ms);
    await settle();
  }

  /** A supervisor on this system's clock, random fixed at 0.5 (no jitter) unless given. */
  supervisor(spec: SupervisorSpec, random: () => number = () => 0.5): Supervisor {
    return new Supervisor(spec, { clock: this.clock, random });
  }
}

/** A spec with test-sized defaults: intensity 3 per second, backoff 10 ms doubling to 1 s, no jitter. */
export function spec(fields: Partial<SupervisorSpec> & Pick<SupervisorSpec, "children">): SupervisorSpec {
  return {
    id: "root",
    strategy: Strategy.OneForOne,
    intensity: 3,
    periodMs: 1000,
    backoff: { initialMs: 10, maxMs: 1000, multiplier: 2, jitter: 0 },
    ...fields,
  };
}

/** Lets every promise chain the supervisor has in flight run to its end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Collects every event of a supervisor (and its nested ones) from now on. */
export function recordEvents(sup: Supervisor): SupervisorEvent[] {
  const events: SupervisorEvent[] = [];
  sup.on((e) => events.push(e));
  return events;
}

/** The events of one type, narrowed. */
export function eventsOf<T extends SupervisorEvent["type"]>(events: readonly SupervisorEvent[], type: T): Extract<SupervisorEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SupervisorEvent, { type: T }> => e.type === type);
}
