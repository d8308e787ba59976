/**
 * Runs a chaos scenario: trains the scenario's job on a fresh cluster while injecting its
 * faults, watches the cluster recover from each, then lets the checkers judge the run
 * from evidence (the update log, the checkpoint, a fault-free run of the same job) and
 * assembles the report. The cluster itself is started by the harness (bin/chaos.ts);
 * chaos sees it only through ClusterUnderTest and the observations it is sent.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { ActorConfig } from "../actors/index.js";
import { partitionOfLogSubject, subjects, type JobDone } from "../protocols/index.js";
import { checkBitwise } from "./checkers/bitwise.js";
import { checkExactlyOnce } from "./checkers/exactly-once.js";
import { checkLiveness, recoveryByKind } from "./checkers/liveness.js";
import { checkQuality } from "./checkers/quality.js";
import { checkRowsTrained } from "./checkers/rows-trained.js";
import { auditUpdateLog } from "./checkers/update-log-audit.js";
import type { CheckerVerdict } from "./checkers/verdict.js";
import type { ChaosReport, TimelinePoint } from "./chaos-report.js";
import { injectFault, type ClusterUnderTest, type InjectedFault } from "./fault-injector.js";
import { planFaults, seededRandom } from "./fault-plan.js";
import { producerActorOf, RecoveryTracker } from "./recovery-tracker.js";
import { parseDuration, type Scenario } from "./scenario.js";

/** What the harness tells chaos about a running job. */
export type ClusterObservation =
  | { readonly type: "actor.started"; readonly id: string; readonly pid: number }
  | { readonly type: "progress"; readonly rowsDone: number; readonly samplesPerSec: number; readonly loss: number }
  | { readonly type: "event"; readonly text: string };

/** One run of the scenario's job, to its end. */
export interface JobRun {
  readonly done: JobDone;
  readonly runDir: string;
}

/** Starts clusters for chaos: the one faults are injected into, and the fault-free reference. */
export interface ChaosHarness {
  /** The NATS server every run uses; it outlives the runs, so their update logs can be audited. */
  readonly natsUrl: string;
  /** The chaos run's cluster name (its update log is COLONY_<cluster>_LOG). */
  readonly cluster: string;
  /** Runs the job; `ready` is called once the cluster's actors can be targeted. */
  runJob(variant: "chaos" | "reference", hooks: { observe: (o: ClusterObservation) => void; ready: (c: ClusterUnderTest) => void }): Promise<JobRun>;
}

const DEFAULT_LIVENESS_BOUND_MS = 30_000;
const DEFAULT_AUC_TOLERANCE = 0.005;

/** Runs the scenario with `seed` and returns its report (the caller writes it). */
export async function runScenario(opts: { scenario: Scenario; seed: number; harness: ChaosHarness; log: Logger; onFault?: (f: InjectedFault) => void }): Promise<ChaosReport> {
  const { scenario, seed, harness, log } = opts;
  const startedAt = new Date();
  const t0 = Date.now();
  const now = (): number => Date.now() - t0;
  const plan = planFaults(scenario, seed);
  const pickTarget = seededRandom((seed ^ 0x9e3779b9) >>> 0);
  const tracker = new RecoveryTracker();
  const faults: InjectedFault[] = [];
  const timeline: TimelinePoint[] = [];
  const events: { t: number; text: string }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const injecting: Promise<unknown>[] = [];
  let cluster: ClusterUnderTest | undefined;
  let faultsStarted = false;
  let jobEnded = false;

  const nc: NatsConnection = await connect({ servers: harness.natsUrl, name: `${harness.cluster}/chaos`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  try {
    // Appends to the update log are the finest sign of training: thousands a second.
    const appends = nc.subscribe(subjects.logAll(harness.cluster), {
      callback: (_err, m) => {
        if (partitionOfLogSubject(m.subject) < 0) return;
        const t = now();
        tracker.append(producerActorOf(m.headers?.get("Nats-Msg-Id")), t);
        if (!faultsStarted) startFaults(t);
      },
    });

    const startFaults = (trainingAt: number): void => {
      if (faultsStarted || !cluster) return;
      faultsStarted = true;
      events.push({ t: trainingAt, text: "training started" });
      log.info({ faults: plan.length, seed }, "training started; faults scheduled");
      plan.forEach((fault, index) => {
        const at = trainingAt + scenario.faults.start + fault.atMs;
        timers.push(setTimeout(() => {
          if (jobEnded) return;
          injecting.push(injectFault({
            fault, index, cluster: cluster!, random: pickTarget, now,
            record: (f) => {
              faults.push(f);
              tracker.fault(f);
              events.push({ t: f.atMs, text: f.skipped ? `fault ${index} skipped (${f.kind}): ${f.skipped}` : `fault ${index}: ${f.kind} ${f.actor ?? ""}${f.error ? ` (${f.error})` : ""}` });
              log.info({ fault: index, kind: f.kind, actor: f.actor, pid: f.pid, skipped: f.skipped, error: f.error }, "fault injected");
              opts.onFault?.(f);
            },
          }).then((f) => tracker.ended(f)));
        }, Math.max(0, at - now())));
      });
    };

    const chaosRun = await harness.runJob("chaos", {
      ready: (c) => { cluster = c; },
      observe: (o) => {
        const t = now();
        if (o.type === "actor.started") tracker.started(o.id, o.pid, t);
        else if (o.type === "progress") {
          tracker.progress(o.rowsDone, t);
          timeline.push({ t, rowsDone: o.rowsDone, samplesPerSec: o.samplesPerSec, loss: o.loss });
          if (o.rowsDone > 0) startFaults(t);
        } else events.push({ t, text: o.text });
      },
    });
    jobEnded = true;
    const jobEndedAtMs = now();
    for (const t of timers) clearTimeout(t);
    await Promise.allSettled(injecting);
    appends.unsubscribe();
    // Faults planned after the job's end never happened: counted, not listed as skipped.
    const notReached = plan.length - faults.length;
    faults.sort((a, b) => a.index - b.index);
    const done = chaosRun.done;
    events.push({ t: jobEndedAtMs, text: done.ok ? "job done" : `job failed: ${done.error ?? "?"}` });
    log.info({ ok: done.ok, faults: faults.length, notReached, rows: done.rowsTrained }, "chaos run finished; checking");

    const config = JSON.parse(await readFile(join(chaosRun.runDir, "config.json"), "utf8")) as ActorConfig;
    const wanted = scenario.checkers;
    const verdicts: CheckerVerdict[] = [];
    const recoveries = tracker.recoveries();
    if (wanted["exactly-once"] !== undefined || wanted["rows-trained"] !== undefined) {
      if (!done.checkpoint) {
        for (const name of ["exactly-once", "rows-trained"] as const) {
          if (wanted[name] !== undefined) verdicts.push({ checker: name, ok: false, summary: "the job wrote no final checkpoint: nothing to check against", evidence: {} });
        }
      } else {
        const audit = await auditUpdateLog({ nc, runDir: chaosRun.runDir, checkpointDir: done.checkpoint });
        if (wanted["exactly-once"] !== undefined) verdicts.push(checkExactlyOnce(audit));
        if (wanted["rows-trained"] !== undefined) verdicts.push(await checkRowsTrained(config, audit.batches, audit.unattributed));
      }
    }
    if (wanted.liveness !== undefined) {
      const boundMs = wanted.liveness?.["bound"] === undefined ? DEFAULT_LIVENESS_BOUND_MS : parseDuration(wanted.liveness["bound"]);
      verdicts.push(checkLiveness({ jobOk: done.ok, jobError: done.error, jobEndedAtMs, faults, recoveries, boundMs }));
    }
    let reference: JobRun | undefined;
    let referenceMs = 0;
    if (wanted.bitwise !== undefined || wanted.quality !== undefined) {
      log.info("training the fault-free reference run");
      const refStart = Date.now();
      reference = await harness.runJob("reference", { ready: () => undefined, observe: () => undefined });
      referenceMs = Date.now() - refStart;
      const refDone = reference.done;
      if (wanted.bitwise !== undefined) {
        verdicts.push(done.checkpoint && refDone.checkpoint
          ? await checkBitwise(config.job.mode, done.checkpoint, refDone.checkpoint)
          : { checker: "bitwise", ok: false, summary: `a checkpoint is missing (chaos: ${done.checkpoint ?? "none"}, fault-free: ${refDone.checkpoint ?? "none"})`, evidence: {} });
      }
      if (wanted.quality !== undefined) {
        const tolerance = Number(wanted.quality?.["tolerance"] ?? DEFAULT_AUC_TOLERANCE);
        verdicts.push(checkQuality(done.eval?.auc, refDone.eval?.auc, tolerance));
      }
    }

    const recoveryOf = new Map(recoveries.map((r) => [r.index, r]));
    return {
      v: 1,
      scenario: { name: scenario.name, file: scenario.file, description: scenario.description, seed },
      verdict: verdicts.every((v) => v.ok) ? "pass" : "fail",
      startedAt: startedAt.toISOString(),
      durationMs: now(),
      machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, host: os.hostname(), loadAverage1m: os.loadavg()[0] ?? 0 },
      job: {
        cluster: harness.cluster, mode: config.job.mode, ok: done.ok, error: done.error, rowsTrained: done.rowsTrained, rowsRepeated: done.rowsRepeated,
        durationMs: jobEndedAtMs, auc: done.eval?.auc, checkpoint: done.checkpoint, runDir: chaosRun.runDir,
      },
      reference: reference && {
        ok: reference.done.ok, durationMs: referenceMs, auc: reference.done.eval?.auc, checkpoint: reference.done.checkpoint, runDir: reference.runDir,
      },
      faults: faults.map((f) => ({ ...f, backMs: recoveryOf.get(f.index)?.backMs, recoveryMs: recoveryOf.get(f.index)?.recoveryMs })),
      faultsInjected: faults.filter((f) => f.skipped === undefined && f.error === undefined).length,
      faultsSkipped: faults.filter((f) => f.skipped !== undefined).length,
      faultsNotReached: notReached,
      recoveryByKind: recoveryByKind(faults, recoveries),
      checkers: verdicts,
      timeline,
      events: events.sort((a, b) => a.t - b.t),
    };
  } finally {
    await nc.close().catch(() => undefined);
  }
}
