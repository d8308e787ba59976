/**
 * `colony dashboard`: a local web page of a running cluster, live. It polls the root
 * supervisor's status every interval, keeps the curves and the shard-load heatmap
 * (dashboard/dashboard-state.ts) and serves them to any browser that opens the
 * printed URL, over server-sent events. Runs until Ctrl-C or until the cluster stops.
 */
import { NotReadyError } from "../protocols/index.js";
import { connectToCluster, fetchStatus, type ClusterTarget } from "./cluster-client.js";
import { startDashboardServer } from "./dashboard/dashboard-server.js";
import { DashboardHistory } from "./dashboard/dashboard-state.js";

export interface DashboardArgs extends ClusterTarget {
  readonly host: string;
  /** 0: a free port. */
  readonly port: number;
  readonly intervalMs: number;
}

/** Serves the dashboard; resolves with the exit code (0 on Ctrl-C or when the cluster stops). */
export async function dashboardCommand(args: DashboardArgs): Promise<number> {
  const c = await connectToCluster(args);
  const history = new DashboardHistory();
  const server = await startDashboardServer({ host: args.host, port: args.port, cluster: c.cluster, current: () => history.state() });
  process.stdout.write(`colony: dashboard of cluster '${c.cluster}' at ${server.url} (Ctrl-C to stop)\n`);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    while (!stop.signal.aborted) {
      const started = Date.now();
      try {
        history.add(await fetchStatus(c, Math.max(1000, args.intervalMs)), Date.now());
        server.publish(history.state()!);
      } catch (err) {
        if (err instanceof NotReadyError || c.nc.isClosed()) {
          server.stopped();
          process.stdout.write(`colony: cluster '${c.cluster}' has stopped\n`);
          break;
        }
        process.stderr.write(`colony: no status from cluster '${c.cluster}' (${(err as Error).message}); retrying\n`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, args.intervalMs - (Date.now() - started)));
        stop.signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
      });
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await server.close();
    await c.nc.close().catch(() => undefined);
  }
  return 0;
}
