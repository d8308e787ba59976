/** `colony agent --nats URL [--cluster NAME]`: joins a running cluster from this host and runs the workers placed on it. */
import { hostname } from "node:os";
import { pino } from "pino";
import { runAgent } from "../supervisor/index.js";

/** Runs the agent until the cluster stops (0), its supervisor gives up (1), or Ctrl-C / SIGTERM (0). */
export async function agentCommand(args: { nats: string; cluster: string; id?: string; capacity: number; runDir?: string; logLevel: string }): Promise<number> {
  const agentId = args.id ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40)}-${process.pid}`;
  const log = pino({ level: args.logLevel, base: { cluster: args.cluster, actor: `agent-${agentId}`, kind: "agent", pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
  const aborter = new AbortController();
  const onSignal = (): void => aborter.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await runAgent({
      natsUrl: args.nats, cluster: args.cluster, agentId, capacity: args.capacity, runDir: args.runDir ?? `runs/agent-${agentId}`,
      log, signal: aborter.signal,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
