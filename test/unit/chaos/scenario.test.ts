import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseDuration, parseScenario, ScenarioError } from "../../../chaos/index.js";
import { REPO } from "../../helpers/colony-cli.js";

const minimal = { name: "t", job: "job.yaml", faults: { timeline: [{ at: "1s", fault: "kill", target: "worker" }] }, checkers: { liveness: {} } };

describe("chaos scenarios", () => {
  it("reads durations in ms, s and m, and plain numbers as ms", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2.5s")).toBe(2500);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration(750)).toBe(750);
    expect(() => parseDuration("5 minutes")).toThrow(/duration/);
    expect(() => parseDuration(-1)).toThrow(/duration/);
  });

  it("fills defaults and resolves the job against the scenario's directory", () => {
    const s = parseScenario(minimal, "/x/scenarios/t.yaml");
    expect(s.jobFile).toBe("/x/scenarios/job.yaml");
    expect(s.seed).toBe(1);
    expect(s.faults.start).toBe(2000);
    expect(s.faults.for).toBe(3000);
    expect(s.faults.timeline[0]).toMatchObject({ at: 1000, fault: "kill", target: "worker" });
  });

  it("refuses a scenario without faults, without checkers, with an unknown fault kind or checker, or a process fault without target", () => {
    const bad = [
      { ...minimal, faults: {} },
      { ...minimal, checkers: {} },
      { ...minimal, faults: { timeline: [{ at: "1s", fault: "explode", target: "worker" }] } },
      { ...minimal, checkers: { vibes: {} } },
      { ...minimal, faults: { timeline: [{ at: "1s", fault: "kill" }] } },
      { ...minimal, faults: { timeline: [{ at: "soon", fault: "kill", target: "worker" }] } },
      { ...minimal, extra: true },
    ];
    for (const doc of bad) expect(() => parseScenario(doc, "bad.yaml"), JSON.stringify(doc)).toThrow(ScenarioError);
  });

  it("names the file and the field in its error", () => {
    try {
      parseScenario({ ...minimal, faults: { timeline: [{ at: "1s", fault: "kill", target: "Worker!" }] } }, "f.yaml");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^f\.yaml: .*faults\.timeline\.0\.target/s);
    }
  });

  it("reports unreadable files and bad YAML as scenario errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scenario-"));
    writeFileSync(join(dir, "broken.yaml"), "name: [unclosed\n");
    await expect(loadScenario(join(dir, "broken.yaml"))).rejects.toThrow(/not valid YAML/);
    await expect(loadScenario(join(dir, "missing.yaml"))).rejects.toThrow(/cannot read it/);
  });

  it("loads every shipped scenario, each with a job file that exists", async () => {
    const dir = join(REPO, "chaos", "scenarios");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual(["hung-nodes.yaml", "kill-coordinator.yaml", "kill-shards.yaml", "kill-workers.yaml", "migrations.yaml", "mixed.yaml", "nats-restart.yaml", "partitions.yaml", "soak.yaml"]);
    for (const f of files) {
      const s = await loadScenario(join(dir, f));
      expect(s.name).toBe(f.replace(/\.yaml$/, ""));
      expect(readdirSync(join(s.jobFile, "..")).includes("adult.yaml"), f).toBe(true);
    }
  });
});
