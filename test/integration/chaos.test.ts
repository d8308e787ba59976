/**
 * `colony chaos run` end to end (issue 7): the CI scenario (chaos/scenarios/mixed.yaml,
 * 12 faults: signals on every actor kind, a NATS restart, a network partition) passes
 * every checker; and the
 * checkers are tested themselves: a planted bug (failpoints, actors/runtime/failpoints.ts)
 * makes exactly the checker that guards against it fail, and the run exit non-zero.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO, runColony, type ColonyRun } from "../helpers/colony-cli.js";

interface Summary {
  verdict: string;
  jobOk: boolean;
  faultsInjected: number;
  faultsSkipped: number;
  skippedBecause: string[];
  faultsByKind: Record<string, number>;
  recoveryMs: Record<string, { n: number; p50?: number; unrecovered: number }>;
  checkers: Record<string, { ok: boolean; summary: string }>;
  report: string;
}

const summaryOf = (run: ColonyRun): Summary => {
  if (!run.result) throw new Error(`no JSON summary; exit ${run.code}\n${run.stderr.slice(-3000)}`);
  return run.result as unknown as Summary;
};

/** A small scenario file on the census data, in a temp dir. */
function scenarioFile(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "colony-chaos-scenario-"));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\njob: ${join(REPO, "examples", "adult.yaml")}\n${body}`);
  return file;
}

async function chaos(scenario: string, opts: { env?: Record<string, string>; args?: string[] } = {}): Promise<{ run: ColonyRun; summary: Summary }> {
  const runDir = mkdtempSync(join(tmpdir(), "colony-chaos-"));
  const run = await runColony(["chaos", "run", scenario, "--run-dir", runDir, "--json", ...(opts.args ?? [])], { timeoutMs: 280_000, env: opts.env });
  return { run, summary: summaryOf(run) };
}

describe("colony chaos run", () => {
  beforeAll(() => {
    process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
  });

  it("survives the CI scenario: 12 faults on workers, shards, the coordinator, NATS and the network, every checker passing", async () => {
    const { run, summary } = await chaos(join(REPO, "chaos", "scenarios", "mixed.yaml"));
    expect(summary.checkers, run.stderr.slice(-2000)).toMatchObject({
      "exactly-once": { ok: true }, "rows-trained": { ok: true }, liveness: { ok: true }, quality: { ok: true },
    });
    expect(summary.verdict).toBe("pass");
    expect(run.code).toBe(0);
    expect(summary.faultsInjected).toBe(12);
    expect(summary.faultsSkipped).toBe(0);
    for (const kind of ["kill worker", "kill shard", "kill coordinator", "term worker", "term shard", "term coordinator", "stop worker", "stop shard", "nats-restart", "partition worker"]) {
      expect(summary.faultsByKind[kind], kind).toBeGreaterThanOrEqual(1);
      expect(summary.recoveryMs[kind]!.p50, kind).toBeGreaterThan(0);
    }
    const report = JSON.parse(readFileSync(summary.report, "utf8")) as { faults: { kind: string; pid?: number; recoveryMs?: number }[]; timeline: unknown[] };
    expect(report.faults.filter((f) => f.kind === "kill").every((f) => typeof f.pid === "number")).toBe(true);
    expect(report.timeline.length).toBeGreaterThan(10);
    const html = readFileSync(join(summary.report, "..", "report.html"), "utf8");
    expect(html).toContain("PASS");
    expect(html).toContain("<svg");
  }, 300_000);

  it("fails exactly-once, and only it, when a shard skips one log entry", async () => {
    const file = scenarioFile("planted-skip", `set: { cluster: chaos-skip, partitions: 16, job.epochs: 4 }
faults:
  start: 1s
  timeline: [{ at: 0s, fault: kill, target: worker }]
checkers: { exactly-once: {}, rows-trained: {}, liveness: {} }
`);
    const { run, summary } = await chaos(file, { env: { COLONY_FAILPOINTS: "shard.skip-log-entry=300" } });
    expect(summary.jobOk, run.stderr.slice(-2000)).toBe(true);
    expect(summary.checkers["exactly-once"]).toMatchObject({ ok: false });
    expect(summary.checkers["exactly-once"]!.summary).toMatch(/rows differ from a replay of the log/);
    expect(summary.checkers["rows-trained"]).toMatchObject({ ok: true });
    expect(summary.checkers["liveness"]).toMatchObject({ ok: true });
    expect(summary.verdict).toBe("fail");
    expect(run.code).toBe(1);
  }, 300_000);

  it("fails rows-trained, and only it, when a worker reports a task done without training it", async () => {
    const file = scenarioFile("planted-drop", `set: { cluster: chaos-drop, partitions: 16, job.epochs: 4 }
faults:
  start: 1s
  timeline: [{ at: 0s, fault: kill, target: shard }]
checkers: { exactly-once: {}, rows-trained: {}, liveness: {} }
`);
    const { run, summary } = await chaos(file, { env: { COLONY_FAILPOINTS: "worker.drop-task=3" } });
    expect(summary.jobOk, run.stderr.slice(-2000)).toBe(true);
    expect(summary.checkers["rows-trained"]).toMatchObject({ ok: false });
    expect(summary.checkers["rows-trained"]!.summary).toMatch(/rows never trained/);
    expect(summary.checkers["exactly-once"]).toMatchObject({ ok: true });
    expect(summary.verdict).toBe("fail");
    expect(run.code).toBe(1);
  }, 300_000);

  it("in sync mode, keeps parameters bitwise identical through shard and worker kills, and catches a lost update", async () => {
    const file = scenarioFile("sync-kills", `set: { cluster: chaos-sync, partitions: 16, job.mode: sync, job.epochs: 1, shards.snapshotMs: 1000 }
faults:
  start: 1s
  timeline:
    - { at: 0s, fault: kill, target: shard }
    - { at: 2s, fault: kill, target: worker }
    - { at: 4s, fault: kill, target: shard }
checkers: { exactly-once: {}, rows-trained: {}, bitwise: {} }
`);
    const clean = await chaos(file);
    expect(clean.summary.checkers, clean.run.stderr.slice(-2000)).toMatchObject({
      bitwise: { ok: true }, "exactly-once": { ok: true }, "rows-trained": { ok: true },
    });
    expect(clean.summary.checkers["rows-trained"]!.summary).toMatch(/exactly once/);
    expect(clean.summary.faultsInjected).toBeGreaterThanOrEqual(2);
    expect(clean.run.code).toBe(0);

    const planted = await chaos(file, { env: { COLONY_FAILPOINTS: "shard.skip-log-entry=40" } });
    expect(planted.summary.checkers["bitwise"]).toMatchObject({ ok: false });
    expect(planted.summary.checkers["exactly-once"]).toMatchObject({ ok: false });
    expect(planted.run.code).toBe(1);
    expect(existsSync(planted.summary.report)).toBe(true);
  }, 400_000);
});
