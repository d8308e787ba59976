/**
 * `colony status --watch`: redraws the cluster's status every interval until Ctrl-C or
 * until the cluster stops. On a terminal it repaints one screen (alternate screen,
 * cursor hidden, both restored on exit); otherwise it appends each frame as plain text
 * under a timestamped separator, so a log or a pipe gets every update.
 */
import { NotReadyError } from "../protocols/index.js";
import { connectToCluster, fetchStatus, type ClusterTarget } from "./cluster-client.js";
import { StatusHistory } from "./watch/status-history.js";
import { renderWatchFrame } from "./watch/watch-view.js";

export interface WatchArgs extends ClusterTarget {
  /** Milliseconds between frames. */
  readonly intervalMs: number;
  readonly out?: NodeJS.WriteStream;
}

const ENTER = "\x1b[?1049h\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";
const HOME_CLEAR = "\x1b[H\x1b[2J";

/** Watches a running cluster; resolves with the exit code (0 on Ctrl-C or when the cluster stops). */
export async function watchStatusCommand(args: WatchArgs): Promise<number> {
  const out = args.out ?? process.stdout;
  const tty = out.isTTY === true;
  const c = await connectToCluster(args);
  const history = new StatusHistory();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  if (tty) out.write(ENTER);
  let farewell = "";
  try {
    while (!stop.signal.aborted) {
      const started = Date.now();
      let frame: string;
      try {
        const s = await fetchStatus(c, Math.max(1000, args.intervalMs));
        history.add(s, Date.now());
        frame = renderWatchFrame(s, history, { width: tty ? (out.columns ?? 100) : 120, color: tty });
      } catch (err) {
        // Nobody answers on the status subject, or its embedded NATS server is gone with it: the job is over.
        if (err instanceof NotReadyError || c.nc.isClosed()) {
          farewell = `colony: cluster '${c.cluster}' has stopped\n`;
          break;
        }
        frame = `no status from cluster '${c.cluster}' (${(err as Error).message}); retrying\n`;
      }
      out.write(tty ? `${HOME_CLEAR}${frame}` : `--- ${new Date().toISOString()}\n${frame}`);
      await sleep(Math.max(0, args.intervalMs - (Date.now() - started)), stop.signal);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (tty) out.write(LEAVE);
    await c.nc.close().catch(() => undefined);
  }
  out.write(farewell);
  return 0;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
