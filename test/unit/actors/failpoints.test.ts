import { describe, expect, it } from "vitest";
import { Failpoint, failpoint } from "../../../actors/runtime/failpoints.js";

describe("failpoints", () => {
  it("are off unless COLONY_FAILPOINTS names them", () => {
    expect(failpoint(Failpoint.ShardSkipLogEntry, {})).toBeUndefined();
    expect(failpoint(Failpoint.ShardSkipLogEntry, { COLONY_FAILPOINTS: "worker.drop-task=2" })).toBeUndefined();
  });

  it("read their number from a comma-separated list", () => {
    const env = { COLONY_FAILPOINTS: "worker.drop-task=2, shard.skip-log-entry=40" };
    expect(failpoint(Failpoint.WorkerDropTask, env)).toBe(2);
    expect(failpoint(Failpoint.ShardSkipLogEntry, env)).toBe(40);
  });

  it("refuse a value that is not a positive integer, so a typo cannot pass for a clean run", () => {
    expect(() => failpoint(Failpoint.WorkerDropTask, { COLONY_FAILPOINTS: "worker.drop-task=two" })).toThrow(/positive integer/);
    expect(() => failpoint(Failpoint.WorkerDropTask, { COLONY_FAILPOINTS: "worker.drop-task=0" })).toThrow(/positive integer/);
  });
});
