/**
 * The `supervision` section of the cluster config: its defaults, its allowed values and
 * their errors, and that `--set supervision.*` overrides reach it.
 */
import { describe, expect, it } from "vitest";
import { applyOverrides, ConfigError, parseConfig, type ConfigIssue } from "../../../../supervisor/config/index.js";

const minimal = () => ({ job: { model: "lr", data: { path: "t.tsv", format: "criteo" } } });

function withSupervision(supervision: unknown): Record<string, unknown> {
  return { ...minimal(), supervision };
}

function configError(obj: unknown): ConfigError {
  try {
    parseConfig(obj);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("parseConfig accepted an invalid config");
}

function issueAt(err: ConfigError, path: string): ConfigIssue {
  const issue = err.issues.find((i) => i.path === path);
  if (issue === undefined) throw new Error(`no issue at ${path}; got ${err.message}`);
  return issue;
}

describe("supervision config", () => {
  it("defaults to one_for_one, 10 restarts per minute, 100 ms..5 s backoff with 20% jitter, 5 s heartbeat and shutdown", () => {
    expect(parseConfig(minimal()).supervision).toEqual({
      strategy: "one_for_one",
      intensity: 10,
      periodMs: 60_000,
      backoff: { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 0.2 },
      heartbeatTimeoutMs: 5000,
      shutdownMs: 5000,
      coordinator: { restart: "permanent" },
      shards: { restart: "permanent", strategy: "one_for_one" },
      workers: { restart: "permanent", strategy: "one_for_one" },
    });
  });

  it("keeps the values given and fills in the rest of a partly given section", () => {
    const cfg = parseConfig(withSupervision({
      strategy: "rest_for_one",
      intensity: 0,
      backoff: { jitter: 0 },
      workers: { restart: "transient" },
    }));
    expect(cfg.supervision).toMatchObject({
      strategy: "rest_for_one",
      intensity: 0,
      periodMs: 60_000,
      backoff: { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 0 },
      workers: { restart: "transient", strategy: "one_for_one" },
    });
  });

  it.each([
    ["supervision.strategy", { strategy: "one_for_some" }, "one_for_some", "one_for_one | one_for_all | rest_for_one"],
    ["supervision.shards.strategy", { shards: { strategy: "simple_one_for_one" } }, "simple_one_for_one", "one_for_one | one_for_all | rest_for_one"],
    ["supervision.workers.strategy", { workers: { strategy: 1 } }, 1, "one_for_one | one_for_all | rest_for_one"],
    ["supervision.coordinator.restart", { coordinator: { restart: "always" } }, "always", "permanent | transient | temporary"],
    ["supervision.shards.restart", { shards: { restart: "Permanent" } }, "Permanent", "permanent | transient | temporary"],
    ["supervision.workers.restart", { workers: { restart: "sometimes" } }, "sometimes", "permanent | transient | temporary"],
    ["supervision.intensity", { intensity: -1 }, -1, "integer 0..10000"],
    ["supervision.periodMs", { periodMs: 0 }, 0, "integer 1..86400000"],
    ["supervision.heartbeatTimeoutMs", { heartbeatTimeoutMs: 10 }, 10, "integer 100..3600000"],
    ["supervision.shutdownMs", { shutdownMs: 1.5 }, 1.5, "integer 0..3600000"],
    ["supervision.backoff.initialMs", { backoff: { initialMs: -5 } }, -5, "integer 0..3600000"],
    ["supervision.backoff.multiplier", { backoff: { multiplier: 0.5 } }, 0.5, "number in [1, 100]"],
    ["supervision.backoff.jitter", { backoff: { jitter: 1.5 } }, 1.5, "number in [0, 1]"],
    ["supervision.backoff.maxMs", { backoff: { initialMs: 500, maxMs: 100 } }, 100, "integer >= supervision.backoff.initialMs"],
  ])("reports %s with its path, the bad value and what is allowed", (path, section, value, allowed) => {
    const err = configError(withSupervision(section));
    expect(issueAt(err, path)).toMatchObject({ value, allowed });
    expect(err.message).toContain(`${path}: got ${JSON.stringify(value)}; allowed: ${allowed}`);
  });

  it("reports an unknown key under supervision with the keys allowed there", () => {
    const err = configError(withSupervision({ intensty: 3 }));
    expect(err.message).toContain("supervision.intensty: unknown key; allowed keys under supervision: strategy | intensity | periodMs | backoff");
  });

  it("reports every bad supervision field in one error", () => {
    const err = configError(withSupervision({ strategy: "x", workers: { restart: "y" }, backoff: { jitter: -1 } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(["supervision.backoff.jitter", "supervision.strategy", "supervision.workers.restart"]);
  });

  it("takes --set overrides of supervision fields, checked like values in the file", () => {
    const raw = applyOverrides(minimal(), ["supervision.intensity=2", "supervision.backoff.maxMs=800", "supervision.workers.strategy=one_for_all"]);
    expect(parseConfig(raw).supervision).toMatchObject({ intensity: 2, backoff: { maxMs: 800 }, workers: { strategy: "one_for_all" } });
    expect(() => applyOverrides(minimal(), ["supervision.intensityy=2"])).toThrow(/allowed keys under supervision: strategy \| intensity/);
  });
});
