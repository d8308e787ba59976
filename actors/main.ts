#!/usr/bin/env node
/**
 * Entry point of every actor OS process. The supervisor starts it as
 *   node dist/actors/main.js --kind shard --id shard-0 --config RUN/config.json --nats URL --run-dir RUN
 * and the process runs that one actor until it is stopped, then exits 0. A failure to
 * start exits 1 with a structured log line saying why.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ActorKind } from "../protocols/index.js";
import type { ActorConfig } from "./runtime/actor-config.js";
import { openActorContext } from "./runtime/actor-host.js";
import { startTracing } from "./runtime/tracing.js";
import { runCoordinator } from "./coordinator/coordinator-actor.js";
import { runShard } from "./shard/shard-actor.js";
import { runWorker } from "./worker/worker-actor.js";

const runners = {
  [ActorKind.Coordinator]: runCoordinator,
  [ActorKind.Shard]: runShard,
  [ActorKind.Worker]: runWorker,
} as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: "string" }, id: { type: "string" }, config: { type: "string" },
      nats: { type: "string" }, "run-dir": { type: "string" },
    },
  });
  const kind = values.kind as keyof typeof runners;
  if (!values.id || !values.config || !values.nats || !values["run-dir"] || !(kind in runners)) {
    throw new Error(`usage: main.js --kind ${Object.keys(runners).join("|")} --id ID --config FILE --nats URL --run-dir DIR`);
  }
  const config = JSON.parse(await readFile(values.config, "utf8")) as ActorConfig;
  const tracing = startTracing({ settings: config.observability, cluster: config.cluster, actor: values.id, kind, runDir: values["run-dir"] });
  const ctx = await openActorContext({ id: values.id, kind, config, natsUrl: values.nats, runDir: values["run-dir"] });
  ctx.log.info({ nats: values.nats, tracing: tracing.enabled }, "actor started");
  try {
    await runners[kind](ctx);
  } finally {
    await tracing.shutdown();
  }
  ctx.log.info("actor stopped");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 60, msg: "actor failed to run", err: String((err as Error)?.stack ?? err) })}\n`);
    process.exit(1);
  },
);
