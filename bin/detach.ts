/**
 * `colony up CONFIG --detach`: starts the same `colony up` in the background (its own
 * session, output to RUN/logs/supervisor.out) and returns once the cluster is training,
 * printing how to reach it. If the background run ends first, says why.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../supervisor/index.js";
import { connectToCluster, fetchStatus } from "./cluster-client.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a detached cluster; resolves with the exit code once it trains (or has failed). */
export async function detach(args: { config: string; runDir?: string; set: string[]; timeoutMs: number }): Promise<number> {
  const config = await loadConfig(args.config, args.set);
  const runDir = resolve(args.runDir ?? join("runs", config.cluster));
  mkdirSync(join(runDir, "logs"), { recursive: true });
  const outFile = join(runDir, "logs", "supervisor.out");
  const out = openSync(outFile, "w");
  const self = fileURLToPath(new URL("./colony.js", import.meta.url));
  const child = spawn(process.execPath, [self, "up", args.config, "--run-dir", runDir, "--json", ...args.set.flatMap((s) => ["--set", s])], {
    detached: true, stdio: ["ignore", out, out],
  });
  closeSync(out);
  let exited: number | null | undefined;
  child.once("exit", (code) => { exited = code; });
  child.unref();

  const deadline = Date.now() + args.timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const tail = readFileSync(outFile, "utf8").trim().split("\n").slice(-5).join("\n");
      process.stderr.write(`colony: the cluster stopped before it was training (exit ${exited}):\n${tail}\n`);
      return 1;
    }
    try {
      const c = await connectToCluster({ cluster: config.cluster });
      try {
        const s = await fetchStatus(c, 2000);
        const coordinator = s.members.find((m) => m.kind === "coordinator");
        if (coordinator?.state === "training" || coordinator?.state === "done") {
          const metrics = c.entry?.metricsUrl;
          process.stdout.write(`${JSON.stringify({ cluster: s.cluster, nats: s.natsUrl, supervisorPid: s.supervisorPid, runDir: s.runDir, metrics })}\n`);
          process.stderr.write(`colony: cluster '${s.cluster}' is training in the background (supervisor pid ${s.supervisorPid}, nats ${s.natsUrl}${metrics ? `, metrics ${metrics}` : ""}).\n`
            + `  npx colony status --watch --cluster ${s.cluster}\n  npx colony dashboard --cluster ${s.cluster}\n`
            + `  npx colony scale workers=N --cluster ${s.cluster}\n  npx colony down --cluster ${s.cluster}\n`);
          return 0;
        }
      } finally {
        await c.nc.close();
      }
    } catch { /* not registered or not answering yet */ }
    await sleep(300);
  }
  process.stderr.write(`colony: the cluster is not training after ${args.timeoutMs / 1000} s; see ${outFile}\n`);
  return 1;
}
