/**
 * Injects one planned fault into a running cluster: a signal to an actor process
 * (kill -9, SIGTERM, SIGSTOP then SIGCONT) or a restart of the NATS server. The target of
 * an actor-kind fault is drawn from the actors alive at that moment. A fault that cannot
 * be injected is recorded as skipped, with the reason, never silently dropped.
 */
import { FaultKind, TARGET_KINDS } from "./scenario.js";
import type { PlannedFault } from "./fault-plan.js";
import type { NetworkLink } from "./network-link.js";

/** An actor process of the cluster under test. */
export interface ActorProcess { readonly id: string; readonly kind: string; readonly pid: number }

/** What chaos can see of and do to a running cluster. */
export interface ClusterUnderTest {
  /** The actor processes alive now. */
  actors(): readonly ActorProcess[];
  /** Stops the NATS server, keeps it down `downMs`, starts it again on the same port and store. */
  restartNats(downMs: number): Promise<void>;
  /** The network link an actor reaches NATS through; absent when the harness runs none. */
  network?: (actorId: string) => NetworkLink | undefined;
}

/** A fault as it happened: times are ms since the run started. */
export interface InjectedFault {
  readonly index: number;
  readonly kind: FaultKind;
  /** The target as planned (actor kind or id), and the actor actually hit. */
  readonly planned?: string;
  readonly actor?: string;
  readonly actorKind?: string;
  readonly pid?: number;
  readonly atMs: number;
  /** When the fault stopped acting (SIGCONT sent, NATS back); equal to atMs for signals that end at once. */
  endedAtMs: number;
  /** Why it was not injected. */
  skipped?: string;
  /** Failure of the injection itself (e.g. the process was already gone). */
  error?: string;
}

/** Without network links (the harness routes actors through them only for scenarios with network faults). */
export const NETWORK_FAULT_SKIP = "this cluster's actors reach NATS directly, not through network links";

function signal(pid: number, sig: NodeJS.Signals): string | undefined {
  try {
    process.kill(pid, sig);
    return undefined;
  } catch (err) {
    return `${sig} to pid ${pid} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/** Chooses the actor a process fault hits: by id, or at random among the live actors of a kind. */
export function chooseTarget(target: string, actors: readonly ActorProcess[], random: () => number): ActorProcess | undefined {
  if ((TARGET_KINDS as readonly string[]).includes(target)) {
    const of = actors.filter((a) => a.kind === target).sort((a, b) => a.id.localeCompare(b.id));
    return of.length === 0 ? undefined : of[Math.floor(random() * of.length)];
  }
  return actors.find((a) => a.id === target);
}

/**
 * Injects `fault`; resolves once the fault has stopped acting (a stop fault after its
 * SIGCONT, a NATS restart once the server is back). `record` gets the fault as soon as
 * it is injected, so observers can time recovery from that moment.
 */
export async function injectFault(opts: {
  fault: PlannedFault; index: number; cluster: ClusterUnderTest; random: () => number; now: () => number;
  record: (f: InjectedFault) => void;
}): Promise<InjectedFault> {
  const { fault, index, cluster, now } = opts;
  const at = now();
  const base = { index, kind: fault.kind, planned: fault.target, atMs: at, endedAtMs: at };
  switch (fault.kind) {
    case FaultKind.Partition:
    case FaultKind.Latency:
    case FaultKind.Loss: {
      const victim = cluster.network ? chooseTarget(fault.target!, cluster.actors(), opts.random) : undefined;
      const link = victim ? cluster.network?.(victim.id) : undefined;
      if (!victim || !link) {
        const why = !cluster.network ? NETWORK_FAULT_SKIP : !victim ? `no live actor matches '${fault.target}'` : `${victim.id} has no network link`;
        const f: InjectedFault = { ...base, skipped: why };
        opts.record(f);
        return f;
      }
      const f: InjectedFault = { ...base, actor: victim.id, actorKind: victim.kind, pid: victim.pid };
      if (fault.kind === FaultKind.Partition) link.partition();
      else if (fault.kind === FaultKind.Latency) link.setLatency(fault.latencyMs);
      else link.setLoss(fault.lossRate);
      opts.record(f);
      await new Promise((r) => setTimeout(r, fault.forMs));
      link.heal();
      f.endedAtMs = now();
      return f;
    }
    case FaultKind.NatsRestart: {
      const f: InjectedFault = { ...base, actor: "nats-server", actorKind: "nats" };
      opts.record(f);
      try {
        await cluster.restartNats(fault.forMs);
      } catch (err) {
        f.error = `NATS restart failed: ${(err as Error).message}`;
      }
      f.endedAtMs = now();
      return f;
    }
    default: {
      const victim = chooseTarget(fault.target!, cluster.actors(), opts.random);
      if (!victim) {
        const f: InjectedFault = { ...base, skipped: `no live actor matches '${fault.target}'` };
        opts.record(f);
        return f;
      }
      const f: InjectedFault = { ...base, actor: victim.id, actorKind: victim.kind, pid: victim.pid };
      const sig: NodeJS.Signals = fault.kind === FaultKind.Kill ? "SIGKILL" : fault.kind === FaultKind.Term ? "SIGTERM" : "SIGSTOP";
      f.error = signal(victim.pid, sig);
      opts.record(f);
      if (fault.kind === FaultKind.Stop && f.error === undefined) {
        await new Promise((r) => setTimeout(r, fault.forMs));
        // The supervisor may have killed and replaced the silent process meanwhile: then
        // there is nothing left to continue.
        signal(victim.pid, "SIGCONT");
        f.endedAtMs = now();
      }
      return f;
    }
  }
}
