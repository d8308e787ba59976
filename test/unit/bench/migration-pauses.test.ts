import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrationPauses, quantile } from "../../../bench/migration-pauses.js";

/** A shard's "partitions handed over" log line, as pino writes it. */
const line = (shard: string, streamSeq: number, at: number, leaving: number[], arriving: number[]): string =>
  JSON.stringify({ level: 30, time: at, actor: shard, streamSeq, leaving, arriving, ms: 1, at, msg: "partitions handed over" });

describe("migrationPauses", () => {
  it("pairs each partition's old and new owner at the same log entry, first line of each side, never negative", async () => {
    const run = mkdtempSync(join(tmpdir(), "colony-pauses-"));
    mkdirSync(join(run, "logs"));
    writeFileSync(join(run, "logs", "shard-0.log"), [
      line("shard-0", 10, 1000, [3, 4], []),
      JSON.stringify({ level: 30, time: 1001, msg: "something else" }),
      // A restarted shard replaying the same entry logs it again: not counted twice.
      line("shard-0", 10, 5000, [3, 4], []),
      line("shard-0", 20, 9000, [], [7]),
    ].join("\n") + "\n");
    writeFileSync(join(run, "logs", "shard-1.log"), [
      line("shard-1", 10, 1040, [], [3]),
      line("shard-1", 20, 8990, [7], []),
    ].join("\n") + "\n");
    writeFileSync(join(run, "logs", "shard-2.log"), `${line("shard-2", 10, 1100, [], [4])}\n`);
    const pauses = await migrationPauses(run, ["shard-0", "shard-1", "shard-2"]);
    expect(pauses).toEqual([
      { partition: 3, streamSeq: 10, from: "shard-0", to: "shard-1", pauseMs: 40 },
      { partition: 4, streamSeq: 10, from: "shard-0", to: "shard-2", pauseMs: 100 },
      { partition: 7, streamSeq: 20, from: "shard-1", to: "shard-0", pauseMs: 10 },
    ]);
  });

  it("ignores a move whose other side never logged (a shard still waiting)", async () => {
    const run = mkdtempSync(join(tmpdir(), "colony-pauses-"));
    mkdirSync(join(run, "logs"));
    writeFileSync(join(run, "logs", "shard-0.log"), `${line("shard-0", 5, 100, [1], [])}\n`);
    expect(await migrationPauses(run, ["shard-0", "shard-1"])).toEqual([]);
  });
});

describe("quantile", () => {
  it("takes the nearest rank", () => {
    const xs = [5, 1, 4, 2, 3];
    expect(quantile(xs, 0.5)).toBe(3);
    expect(quantile(xs, 0.99)).toBe(5);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
