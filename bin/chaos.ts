/**
 * `colony chaos run SCENARIO [--seed N] [--set PATH=VALUE]… [--report DIR] [--run-dir DIR] [--json]`: runs a
 * chaos scenario (chaos/scenario.ts) on a local cluster, writes report.json, a
 * self-contained report.html and a report.md summary, and exits 0 only when every
 * checker passed.
 *
 * The harness keeps one nats-server of its own for the whole run, so the update log
 * outlives the job (the checkers replay it) and a NATS restart is a fault like any other.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pino } from "pino";
import {
  loadScenario, NetworkLink, runScenario, renderReportHtml, renderReportMarkdown, reportSummary, usesNetworkFaults, type ChaosHarness, type ClusterObservation,
} from "../chaos/index.js";
import { loadConfig, runCluster, startNatsServer, type ClusterEvent } from "../supervisor/index.js";

export interface ChaosArgs {
  readonly scenario: string;
  readonly seed?: number;
  readonly report?: string;
  readonly runDir?: string;
  /** Job config overrides on top of the scenario's `set`, as `colony up --set`. */
  readonly set: readonly string[];
  readonly json: boolean;
}

/** Workers a scale-up may add beyond the configured count that still get a network link. */
const SPARE_WORKER_LINKS = 8;

/** Overrides every chaos run needs: the checkers replay the whole log. */
const CHAOS_SETS = ["shards.purgeLog=false"];

const setsOf = (set: Record<string, unknown>): string[] => Object.entries(set).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);

function observation(e: ClusterEvent): ClusterObservation | undefined {
  switch (e.type) {
    case "actor.started": return { type: "actor.started", id: e.id, pid: e.pid };
    case "progress": return { type: "progress", rowsDone: e.progress.rowsDone, samplesPerSec: e.progress.samplesPerSec, loss: e.progress.loss };
    case "actor.crashed": return { type: "event", text: `${e.id} exited (${e.exit.signal ?? `code ${e.exit.code}`})` };
    case "actor.restarted": return { type: "event", text: `${e.id} restarting (attempt ${e.attempt}, in ${e.delayMs} ms)` };
    case "actor.unresponsive": return { type: "event", text: `${e.id} killed as unresponsive: ${e.reason}` };
    case "tree.escalated": return { type: "event", text: `supervision gave up: ${e.reason}` };
    case "scaled": return { type: "event", text: `scaled to ${e.workers} workers` };
    default: return undefined;
  }
}

/** Runs `colony chaos run`; resolves with the exit code (0: every checker passed). */
export async function chaosCommand(args: ChaosArgs): Promise<number> {
  const scenario = await loadScenario(args.scenario);
  const seed = args.seed ?? scenario.seed;
  const runDir = resolve(args.runDir ?? join("runs", `chaos-${scenario.name}`));
  const reportDir = resolve(args.report ?? runDir);
  const log = pino({ base: { actor: "chaos", scenario: scenario.name } }, pino.destination(2));
  const sets = [...setsOf(scenario.set), ...args.set, ...CHAOS_SETS];
  const base = await loadConfig(scenario.jobFile, sets);

  await rm(join(runDir, "nats"), { recursive: true, force: true });
  await mkdir(reportDir, { recursive: true });
  const nats = await startNatsServer({ storeDir: join(runDir, "nats"), maxPayload: base.nats.maxPayload });
  const aborter = new AbortController();
  const onSignal = (): void => aborter.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // Network faults act on per-actor links (chaos/network-link.ts): made only when the
  // scenario has such faults, since every byte then passes through this process.
  const links = new Map<string, NetworkLink>();
  try {
    if (usesNetworkFaults(scenario)) {
      const ids = ["coordinator", ...Array.from({ length: base.shards.count }, (_, i) => `shard-${i}`),
        ...Array.from({ length: base.workers.count + SPARE_WORKER_LINKS }, (_, i) => `worker-${i}`)];
      for (const id of ids) links.set(id, await NetworkLink.open({ host: "127.0.0.1", port: nats.port }));
    }
    const harness: ChaosHarness = {
      natsUrl: nats.url,
      cluster: base.cluster,
      async runJob(variant, hooks) {
        // The reference run is fault-free: no planted bug either, and no partition moves.
        const failpoints = process.env["COLONY_FAILPOINTS"];
        if (variant === "reference") delete process.env["COLONY_FAILPOINTS"];
        try {
          const cluster = variant === "chaos" ? base.cluster : `${base.cluster.slice(0, 27)}-ref`;
          // The reference run keeps every partition where static hashing put it: the
          // parameters must not depend on where partitions lived.
          const rebalance = variant === "reference" ? { ...base.rebalance, auto: false } : base.rebalance;
          const config = { ...base, cluster, rebalance, nats: { ...base.nats, url: nats.url } };
          const dir = join(runDir, variant);
          const chaos = variant === "chaos" && links.size > 0;
          const done = await runCluster({
            config, runDir: dir, signal: aborter.signal,
            natsUrlFor: chaos ? (id) => links.get(id)?.url : undefined,
            onTree: (children) => hooks.ready({
              actors: children, restartNats: (downMs) => nats.restart(downMs), network: chaos ? (id) => links.get(id) : undefined,
            }),
            onEvent: (e) => {
              const o = observation(e);
              if (o) hooks.observe(o);
            },
          });
          return { done, runDir: dir };
        } finally {
          if (failpoints !== undefined) process.env["COLONY_FAILPOINTS"] = failpoints;
        }
      },
    };
    const report = await runScenario({ scenario, seed, harness, log });
    await writeFile(join(reportDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(reportDir, "report.html"), renderReportHtml(report));
    await writeFile(join(reportDir, "report.md"), renderReportMarkdown(report));
    if (!args.json) {
      process.stderr.write(`\ncolony chaos: ${scenario.name} (seed ${seed}): ${report.verdict.toUpperCase()}; ${report.faultsInjected} faults injected, ${report.faultsSkipped} skipped\n`);
      for (const c of report.checkers) process.stderr.write(`  ${c.ok ? "pass" : "FAIL"}  ${c.checker.padEnd(13)} ${c.summary}\n`);
      process.stderr.write(`  report: ${join(reportDir, "report.html")}\n`);
    }
    process.stdout.write(`${JSON.stringify({ ...reportSummary(report), report: join(reportDir, "report.json") })}\n`);
    return report.verdict === "pass" ? 0 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await Promise.all([...links.values()].map((l) => l.close()));
    await nats.stop();
  }
}
