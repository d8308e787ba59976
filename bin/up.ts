/**
 * `colony up CONFIG [--run-dir DIR] [--set PATH=VALUE]… [--json]`: runs a job on a local
 * cluster. On a terminal it shows a live progress line; otherwise (or with --json) it
 * writes pino JSON lines. The last line on stdout is always one JSON object with the
 * job's result; the exit code is 0 only when the job succeeded.
 */
import { join } from "node:path";
import { pino } from "pino";
import { checkResumable, loadConfig, runCluster, type ClusterEvent } from "../supervisor/index.js";
import { progressLine } from "./progress-line.js";

export interface UpArgs { readonly config: string; readonly runDir?: string; readonly set: string[]; readonly json: boolean; readonly resume?: string }

/** Runs `colony up`; resolves with the process exit code. */
export async function up(args: UpArgs): Promise<number> {
  const config = await loadConfig(args.config, args.set);
  if (args.resume !== undefined) await checkResumable(args.resume, config);
  const runDir = args.runDir ?? join("runs", config.cluster);
  const tty = process.stderr.isTTY === true && !args.json;
  const log = pino({ level: config.log.level, base: { cluster: config.cluster, actor: "supervisor", kind: "supervisor", pid: process.pid } },
    tty ? pino.destination({ dest: join(runDir, "logs", "supervisor.log"), sync: true, mkdir: true }) : pino.destination(2));
  const say = (text: string): void => { if (tty) process.stderr.write(`\r\x1b[K${text}\n`); };

  const aborter = new AbortController();
  const onSignal = (): void => aborter.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const onEvent = (e: ClusterEvent): void => {
    switch (e.type) {
      case "nats.started":
        log.info({ url: e.url, embedded: e.embedded }, "nats ready");
        say(`colony: cluster '${config.cluster}' on ${e.url}${e.embedded ? " (embedded nats-server)" : ""}, run dir ${runDir}`);
        break;
      case "metrics.listening":
        log.info({ url: e.url }, "prometheus metrics endpoint listening");
        say(`colony: metrics at ${e.url}`);
        break;
      case "actor.started":
        log.info({ child: e.id, childPid: e.pid, attempt: e.attempt }, "actor started");
        break;
      case "actor.crashed":
        log.error({ child: e.id, exit: e.exit, tail: e.tail.slice(-5) }, "actor crashed");
        say(`colony: ${e.id} exited unexpectedly (${e.exit.signal ?? `code ${e.exit.code}`}); last lines:\n  ${e.tail.slice(-5).join("\n  ")}`);
        break;
      case "actor.restarted":
        log.warn({ child: e.id, attempt: e.attempt, delayMs: e.delayMs, cause: e.cause }, "actor restarting");
        say(`colony: restarting ${e.id} in ${e.delayMs} ms (restart ${e.attempt}): ${e.cause}`);
        break;
      case "actor.unresponsive":
        log.warn({ child: e.id, reason: e.reason }, "actor unresponsive; killing it");
        say(`colony: ${e.id} is unresponsive (${e.reason}); replacing it`);
        break;
      case "tree.escalated":
        log.error({ reason: e.reason }, "supervision gave up");
        say(`colony: supervision gave up: ${e.reason}`);
        break;
      case "scaled":
        log.info({ workers: e.workers }, "scaling workers");
        say(`colony: scaling to ${e.workers} workers`);
        break;
      case "actor.error":
        log.error({ child: e.id, line: e.line }, "actor error");
        break;
      case "progress":
        if (tty) process.stderr.write(`\r\x1b[K${progressLine(e.progress, process.stderr.columns ?? 100)}`);
        else log.info(e.progress, "progress");
        break;
      case "stopping":
        log.info({ reason: e.reason }, "stopping cluster");
        say(`colony: stopping (${e.reason})`);
        break;
      case "job.done": {
        log.info({ ...e.done }, "job done");
        const d = e.done;
        if (d.ok) {
          const scored = d.eval ? `, held-out AUC ${d.eval.auc.toFixed(4)} logloss ${d.eval.logloss.toFixed(4)} on ${d.eval.rows.toLocaleString("en-US")} rows` : "";
          say(`colony: trained ${d.rowsTrained.toLocaleString("en-US")} rows in ${(d.durationMs / 1000).toFixed(1)} s${scored}; checkpoint ${d.checkpoint ?? "-"}`);
        } else {
          say(`colony: job failed: ${d.error ?? "unknown error"} (logs in ${join(runDir, "logs")})`);
        }
        break;
      }
    }
  };

  const done = await runCluster({ config, runDir, onEvent, signal: aborter.signal, resume: args.resume, log });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.stdout.write(`${JSON.stringify({
    ok: done.ok, cluster: config.cluster, rows: done.rowsTrained, rowsRepeated: done.rowsRepeated,
    seconds: Math.round(done.durationMs / 100) / 10, checkpoint: done.checkpoint,
    auc: done.eval?.auc, logloss: done.eval?.logloss, evalRows: done.eval?.rows, error: done.error, endedEarly: done.endedEarly,
  })}\n`);
  if (done.ok) return 0;
  return done.error === "interrupted" ? 130 : 1;
}
