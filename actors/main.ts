#!/usr/bin/env node
/**
 * Entry point of every actor OS process. The supervisor starts it as
 *   node dist/actors/main.js --kind shard --id shard-0 --config RUN/config.json --nats URL --run-dir RUN
 * and the process runs that one actor until it is stopped, then exits 0. A failure to
 * start exits 1 with a structured log line saying why.
 *
 * With `--standby` in place of `--id` (workers only) it loads its modules and connects,
 * then waits for one JSON line `{"id": ...}` on stdin before it runs: the supervisor keeps
 * one ready so that a new worker starts in milliseconds (issue 3's "pushing within 2 s of
 * `colony scale`"). It exits 0 without running when stdin closes first.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ActorKind } from "../protocols/index.js";
import type { ActorConfig } from "./runtime/actor-config.js";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ActorContext } from "./runtime/actor-host.js";
import { startTracing } from "./runtime/tracing.js";

// Each process loads only its own actor's modules: a worker has no use for the
// coordinator's or the shard's, and loading them all slowed every start (issue 3's
// "new worker pushing within 2 s"; bench/results/elasticity.md).
const runners: Record<string, () => Promise<(ctx: ActorContext) => Promise<void>>> = {
  [ActorKind.Coordinator]: async () => (await import("./coordinator/coordinator-actor.js")).runCoordinator,
  [ActorKind.Shard]: async () => (await import("./shard/shard-actor.js")).runShard,
  [ActorKind.Worker]: async () => (await import("./worker/worker-actor.js")).runWorker,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: "string" }, id: { type: "string" }, config: { type: "string" },
      nats: { type: "string" }, "run-dir": { type: "string" }, host: { type: "string" }, standby: { type: "boolean" },
    },
  });
  const kind = values.kind as ActorKind;
  const load = runners[kind];
  const standby = values.standby === true && kind === ActorKind.Worker && values.id === undefined;
  if ((!values.id && !standby) || !values.config || !values.nats || !values["run-dir"] || !load) {
    throw new Error(`usage: main.js --kind ${Object.keys(runners).join("|")} (--id ID | --standby) --config FILE --nats URL --run-dir DIR [--host NAME]`);
  }
  // The runner's modules, the config and the actor host load side by side.
  const [run, config, { connectActor, openActorContext }] = await Promise.all([
    load(), readFile(values.config, "utf8").then((text) => JSON.parse(text) as ActorConfig), import("./runtime/actor-host.js"),
  ]);
  let id = values.id;
  let nc: NatsConnection | undefined;
  if (standby) {
    nc = await connectActor({ cluster: config.cluster, id: `standby-${process.pid}`, natsUrl: values.nats });
    id = await assignment(process.stdin);
    if (id === undefined) {
      await nc.close();
      return;
    }
  }
  const tracing = await startTracing({ settings: config.observability, cluster: config.cluster, actor: id!, kind, runDir: values["run-dir"] });
  const ctx = await openActorContext({ id: id!, kind, config, natsUrl: values.nats, runDir: values["run-dir"], host: values.host, nc });
  ctx.log.info({ nats: values.nats, tracing: tracing.enabled }, "actor started");
  try {
    await run(ctx);
  } finally {
    await tracing.shutdown();
  }
  ctx.log.info("actor stopped");
}

/** The id in the first line of `input` (`{"id": "worker-3"}`), or undefined when it closes first. */
async function assignment(input: NodeJS.ReadableStream): Promise<string | undefined> {
  let text = "";
  for await (const chunk of input) {
    text += String(chunk);
    const nl = text.indexOf("\n");
    if (nl < 0) continue;
    const { id } = JSON.parse(text.slice(0, nl)) as { id?: unknown };
    if (typeof id !== "string" || id.length === 0) throw new Error(`a standby worker expects {"id": "..."} on stdin, got ${text.slice(0, nl)}`);
    return id;
  }
  return undefined;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 60, msg: "actor failed to run", err: String((err as Error)?.stack ?? err) })}\n`);
    process.exit(1);
  },
);
