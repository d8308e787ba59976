#!/usr/bin/env node
/**
 * The `colony` command. Thin by design: it parses arguments and calls supervisor/ (and,
 * for eval, the checkpoint scorer). Errors that carry advice (bad config, missing
 * nats-server, unreadable checkpoint) are printed as one clear message, exit code 2.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
// Each command's modules load only when it runs: loading all of them (the supervisor,
// OpenTelemetry, the training code) took ~2 s here, which every `colony status` and
// `colony scale` paid (bench/results/elasticity.md).

const USAGE = `usage:
  colony up CONFIG [--run-dir DIR] [--set PATH=VALUE]... [--json] [--detach] [--resume CHECKPOINT]
      run a job on a local cluster; the final checkpoint goes to DIR/final (default runs/<cluster>/final);
      --detach returns once it trains, leaving it running in the background;
      --resume continues a job from a checkpoint (e.g. one \`colony down\` wrote): its rows and task progress
  colony status [--cluster NAME | --nats URL --cluster NAME] [--json | --watch [--interval MS]]
      --watch redraws members, shard load, throughput and loss every second (MS) until Ctrl-C
  colony dashboard [--cluster NAME | --nats URL --cluster NAME] [--port N] [--host H] [--interval MS]
      serve a live web page of the cluster (topology, loss and throughput curves, shard-load heatmap, events)
  colony scale workers=N | shards=N [--cluster NAME | --nats URL --cluster NAME]
  colony bench rebalance [--zipf S] [--shards N] [--partitions P] [--quick] [--json]
  colony rebalance [--dry-run] [--cluster NAME | --nats URL --cluster NAME] [--json] [--target R] [--max-moves N]
      each shard's load (rows/s), max/mean now and predicted, and the partition moves the coordinator
      would make to bring max/mean to R (default from the config, 1.15); live migration is not built yet
  colony agent --nats URL [--cluster NAME] [--id ID] [--workers-max N] [--run-dir DIR]
      join a running cluster from this host (another machine, or another process tree) and run the
      workers the root supervisor places on it; they move elsewhere when the agent is lost
  colony down [--cluster NAME | --nats URL --cluster NAME]
      stop a running job gracefully, with a final checkpoint of what it has learned
  colony eval --checkpoint DIR --data FILE [--batch N]
      score a checkpoint on a data file; prints {"rows","auc","logloss"}
  colony inspect --checkpoint DIR [--json]
      a checkpoint's job, row counts per table and shard, and a digest of every tensor
      (same parameters, same digests, whatever the partitioning)
  colony export --checkpoint DIR --format safetensors --out FILE
      write the model (dense tensors, embedding ids and rows) for PyTorch and other tools
  colony bench train --data FILE --test FILE [--backend cpu|cuda|auto] [--json] [--config CONFIG] [--threads N]
      train the config's model (default examples/ctr.yaml: dlrm-small) for its epochs in this one process,
      no NATS, on the native kernels; prints training-loop and end-to-end samples/s and the test AUC
  colony chaos run SCENARIO [--seed N] [--set PATH=VALUE]... [--report DIR] [--run-dir DIR] [--json]
      run a job while injecting a scenario's faults (chaos/scenarios/*.yaml), check that nothing
      was lost, and write report.json and report.html; exit code 1 when a checker fails`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "up": {
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: {
          "run-dir": { type: "string" }, set: { type: "string", multiple: true }, json: { type: "boolean" }, detach: { type: "boolean" }, resume: { type: "string" },
        },
      });
      if (positionals.length !== 1) throw new UsageError("colony up needs exactly one CONFIG file");
      if (values.detach && values.resume) throw new UsageError("--resume runs in the foreground for now; drop --detach");
      if (values.detach) return (await import("./detach.js")).detach({ config: positionals[0]!, runDir: values["run-dir"], set: values.set ?? [], timeoutMs: 180_000 });
      return (await import("./up.js")).up({ config: positionals[0]!, runDir: values["run-dir"], set: values.set ?? [], json: values.json ?? false, resume: values.resume });
    }
    case "dashboard": {
      const { values } = parseArgs({
        args: rest,
        options: { cluster: { type: "string" }, nats: { type: "string" }, port: { type: "string" }, host: { type: "string" }, interval: { type: "string" } },
      });
      if (values.nats && !values.cluster) throw new UsageError("--nats URL needs --cluster NAME too");
      const port = Number(values.port ?? 0);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0..65535 (0: any free port), got ${values.port}`);
      const intervalMs = Number(values.interval ?? 1000);
      if (!Number.isInteger(intervalMs) || intervalMs < 100) throw new UsageError(`--interval must be an integer >= 100 (ms), got ${values.interval}`);
      return (await import("./dashboard.js")).dashboardCommand({ cluster: values.cluster, nats: values.nats, host: values.host ?? "127.0.0.1", port, intervalMs });
    }
    case "status":
    case "scale":
    case "down": {
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: {
          cluster: { type: "string" }, nats: { type: "string" }, json: { type: "boolean" }, watch: { type: "boolean" }, interval: { type: "string" },
        },
      });
      if (values.nats && !values.cluster) throw new UsageError("--nats URL needs --cluster NAME too");
      const target = { cluster: values.cluster, nats: values.nats, json: values.json ?? false };
      if (command === "status" && values.watch) {
        if (values.json) throw new UsageError("--watch draws a live view; use --json without --watch for one JSON snapshot");
        const intervalMs = Number(values.interval ?? 1000);
        if (!Number.isInteger(intervalMs) || intervalMs < 100) throw new UsageError(`--interval must be an integer >= 100 (ms), got ${values.interval}`);
        return (await import("./status-watch.js")).watchStatusCommand({ ...target, intervalMs });
      }
      if ((values.watch || values.interval !== undefined) && command !== "status") throw new UsageError("--watch and --interval belong to colony status");
      if (command === "status") return (await import("./status.js")).statusCommand(target);
      if (command === "down") return (await import("./down.js")).downCommand({ ...target, timeoutMs: 300_000 });
      let scale: import("./scale.js").ScaleTarget;
      try {
        scale = (await import("./scale.js")).parseScaleArg(positionals[0]);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      return (await import("./scale.js")).scaleCommand({ ...target, ...scale });
    }
    case "agent": {
      const { values } = parseArgs({
        args: rest,
        options: {
          nats: { type: "string" }, cluster: { type: "string" }, id: { type: "string" }, "workers-max": { type: "string" },
          "run-dir": { type: "string" }, "log-level": { type: "string" },
        },
      });
      if (!values.nats) throw new UsageError("colony agent needs --nats URL (the cluster's NATS, as colony status prints it)");
      if (!/^(nats|tls|ws|wss):\/\/|^[^:/]+:\d+$/.test(values.nats)) throw new UsageError(`--nats must be a NATS URL such as nats://host:4222, got '${values.nats}'`);
      const capacity = Number(values["workers-max"] ?? availableParallelism());
      if (!Number.isInteger(capacity) || capacity < 1 || capacity > 256) throw new UsageError(`--workers-max must be an integer from 1 to 256, got ${values["workers-max"]}`);
      if (values.id !== undefined && (!/^[A-Za-z0-9_-]{1,64}$/.test(values.id) || values.id === "root")) {
        throw new UsageError(`--id must be 1-64 letters, digits, '_' or '-' (and not 'root'), got '${values.id}'`);
      }
      const logLevel = values["log-level"] ?? "info";
      if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) throw new UsageError(`--log-level must be one of fatal, error, warn, info, debug, trace, silent; got '${logLevel}'`);
      return (await import("./agent.js")).agentCommand({
        nats: values.nats, cluster: values.cluster ?? "colony", id: values.id, capacity, runDir: values["run-dir"], logLevel,
      });
    }
    case "rebalance": {
      const { values } = parseArgs({
        args: rest,
        options: {
          cluster: { type: "string" }, nats: { type: "string" }, json: { type: "boolean" }, "dry-run": { type: "boolean" },
          target: { type: "string" }, "max-moves": { type: "string" },
        },
      });
      if (values.nats && !values.cluster) throw new UsageError("--nats URL needs --cluster NAME too");
      const targetRatio = values.target === undefined ? undefined : Number(values.target);
      if (targetRatio !== undefined && !(targetRatio >= 1 && targetRatio <= 100)) throw new UsageError(`--target must be a max/mean ratio from 1 to 100, got ${values.target}`);
      const maxMoves = values["max-moves"] === undefined ? undefined : Number(values["max-moves"]);
      if (maxMoves !== undefined && !(Number.isInteger(maxMoves) && maxMoves >= 0)) throw new UsageError(`--max-moves must be an integer >= 0, got ${values["max-moves"]}`);
      return (await import("./rebalance.js")).rebalanceCommand({
        cluster: values.cluster, nats: values.nats, json: values.json ?? false, dryRun: values["dry-run"] ?? false, targetRatio, maxMoves,
      });
    }
    case "eval": {
      const { values } = parseArgs({ args: rest, options: { checkpoint: { type: "string" }, data: { type: "string" }, batch: { type: "string" } } });
      if (!values.checkpoint || !values.data) throw new UsageError("colony eval needs --checkpoint DIR and --data FILE");
      const batch = Number(values.batch ?? 4096);
      if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch must be a positive integer, got ${values.batch}`);
      return (await import("./eval.js")).evalCommand({ checkpoint: values.checkpoint, data: values.data, batch });
    }
    case "inspect": {
      const { values } = parseArgs({ args: rest, options: { checkpoint: { type: "string" }, json: { type: "boolean" } } });
      if (!values.checkpoint) throw new UsageError("colony inspect needs --checkpoint DIR");
      return (await import("./inspect.js")).inspectCommand({ checkpoint: values.checkpoint, json: values.json ?? false });
    }
    case "export": {
      const { values } = parseArgs({ args: rest, options: { checkpoint: { type: "string" }, format: { type: "string" }, out: { type: "string" } } });
      if (!values.checkpoint || !values.out) throw new UsageError("colony export needs --checkpoint DIR and --out FILE");
      return (await import("./export.js")).exportCommand({ checkpoint: values.checkpoint, format: values.format ?? "safetensors", out: values.out });
    }
    case "bench": {
      if (rest[0] === "rebalance") {
        const args = rest.slice(1);
        try {
          (await import("../bench/rebalance.js")).parseRebalanceArgs(args);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        return (await import("../bench/rebalance.js")).rebalanceMain(args);
      }
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: {
          data: { type: "string" }, test: { type: "string" }, backend: { type: "string" }, json: { type: "boolean" }, config: { type: "string" },
          threads: { type: "string" },
        },
      });
      if (positionals[0] !== "train" || positionals.length !== 1) throw new UsageError("usage: colony bench train --data FILE --test FILE | colony bench rebalance [--zipf S] [--shards N]");
      if (!values.data || !values.test) throw new UsageError("colony bench train needs --data FILE and --test FILE");
      const backend = values.backend ?? "cpu";
      if (backend !== "cpu" && backend !== "cuda" && backend !== "auto") throw new UsageError(`--backend must be cpu, cuda or auto, got '${backend}'`);
      const threads = values.threads === undefined ? undefined : Number(values.threads);
      if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new UsageError(`--threads must be an integer 1..64, got ${values.threads}`);
      const command = await import("./bench-train.js");
      return command.benchTrainCommand({
        data: values.data, test: values.test, backend, json: values.json ?? false, config: values.config ?? command.DEFAULT_BENCH_CONFIG, threads,
      });
    }
    case "chaos": {
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: {
          seed: { type: "string" }, set: { type: "string", multiple: true }, report: { type: "string" }, "run-dir": { type: "string" }, json: { type: "boolean" },
        },
      });
      if (positionals[0] !== "run" || positionals.length !== 2) throw new UsageError("usage: colony chaos run SCENARIO");
      const seed = values.seed === undefined ? undefined : Number(values.seed);
      if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError(`--seed must be a non-negative integer, got ${values.seed}`);
      return (await import("./chaos.js")).chaosCommand({
        scenario: positionals[1]!, seed, set: values.set ?? [], report: values.report, runDir: values["run-dir"], json: values.json ?? false,
      });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

class UsageError extends Error {}

/** Whether an error carries advice for the user (printed as one line), rather than being a bug (printed with its stack). */
async function isAdvice(err: unknown): Promise<boolean> {
  const [{ ColonyError }, { ConfigError }, { CheckpointError, DataSpecError, ExportFormatError, SafetensorsError }, { ScenarioError }] = await Promise.all([
    import("../protocols/index.js"), import("../supervisor/index.js"), import("../train/index.js"), import("../chaos/index.js"),
  ]);
  return err instanceof ConfigError || err instanceof ScenarioError || err instanceof ColonyError || err instanceof CheckpointError || err instanceof DataSpecError
    || err instanceof ExportFormatError || err instanceof SafetensorsError
    || (err instanceof Error && (err as NodeJS.ErrnoException).code === "ENOENT");
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`colony: ${err.message}\n${USAGE}\n`);
    else if (await isAdvice(err)) process.stderr.write(`colony: ${(err as Error).message}\n`);
    else process.stderr.write(`colony: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
