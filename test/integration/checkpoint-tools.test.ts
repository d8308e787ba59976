import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ctrFile } from "../helpers/ctr-data.js";
import { REPO, runColony } from "../helpers/colony-cli.js";
import { tempDir } from "../unit/train/helpers/temp-files.js";
import { trainSharded, writeTrainedCheckpoint } from "../unit/train/helpers/trained-checkpoint.js";

const SCORER = join(REPO, "bench", "score_safetensors.py");
/** The first Python that imports numpy, preferring the system one (Debian's python3-torch lives there). */
const PYTHON = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import numpy"]).status === 0);
const pythonHasNumpy = PYTHON !== undefined;

/** A dlrm-small checkpoint trained in process on 3000 rows, written by `shards` shards. */
async function checkpoint(shards: number): Promise<string> {
  return writeTrainedCheckpoint(tempDir(), await trainSharded({ kind: "dlrm-small", trainPath: ctrFile(3000, 31), shards }));
}

describe("colony inspect and colony export (the built CLI)", () => {
  it("inspect --json prints one object whose digests agree for 1 and 2 shards of the same parameters", async () => {
    const [one, two] = await Promise.all([checkpoint(1), checkpoint(2)]);
    const a = await runColony(["inspect", "--checkpoint", one, "--json"]);
    const b = await runColony(["inspect", "--checkpoint", two, "--json"]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout.trim().split("\n")).toHaveLength(1);
    expect(a.result!["digest"]).toEqual(b.result!["digest"]);
    expect(a.result!["shards"]).toEqual(["shard-0"]);
    expect(b.result!["shards"]).toEqual(["shard-0", "shard-1"]);
  });

  it("gives the same digests for checkpoints of real clusters with 1 and with 2 shards (one worker, so the same updates in the same order)", async () => {
    const digests: unknown[] = [];
    for (const shards of [1, 2]) {
      const dir = tempDir();
      const up = await runColony(["up", "examples/adult.yaml", "--run-dir", dir, "--set", `shards.count=${shards}`, "--set", "workers.count=1", "--json"]);
      expect(up.code, up.stderr.slice(-2000)).toBe(0);
      const inspected = await runColony(["inspect", "--checkpoint", join(dir, "final"), "--json"]);
      expect(inspected.code, inspected.stderr).toBe(0);
      expect(inspected.result!["shards"]).toHaveLength(shards);
      digests.push(inspected.result!["digest"]);
    }
    expect(digests[1]).toEqual(digests[0]);
  }, 300_000);

  it("inspect without --json prints a readable summary with the job, the rows per table and the digests", async () => {
    const run = await runColony(["inspect", "--checkpoint", await checkpoint(2)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/model\s+dlrm-small/);
    expect(run.stdout).toMatch(/digest\s+params [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/embeddings\.25\s+\d+/);
    expect(run.stdout).toMatch(/top\.0\.weight\s+\[128, 108\]/);
  });

  it("export writes a safetensors file with every embedding table and dense tensor", async () => {
    const out = join(tempDir(), "model.safetensors");
    const exported = await runColony(["export", "--checkpoint", await checkpoint(2), "--format", "safetensors", "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.result).toMatchObject({ out, format: "safetensors", tensors: 26 * 2 + 10 });
    expect(existsSync(out)).toBe(true);
  });

  it.skipIf(!pythonHasNumpy).each(["lr", "fm", "dlrm-small"] as const)(
    "a %s export scores the test file in Python (bench/score_safetensors.py) to colony eval's AUC", async (kind) => {
      const dir = await writeTrainedCheckpoint(tempDir(), await trainSharded({ kind, trainPath: ctrFile(3000, 31), shards: 2 }));
      const out = join(tempDir(), "model.safetensors");
      expect((await runColony(["export", "--checkpoint", dir, "--format", "safetensors", "--out", out])).code).toBe(0);
      const evaluated = await runColony(["eval", "--checkpoint", dir, "--data", ctrFile(2000, 32)]);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const scored = JSON.parse(execFileSync(PYTHON!, [SCORER, out, ctrFile(2000, 32)], { encoding: "utf8" }).trim()) as { rows: number; auc: number; scorer: string };
      expect(scored.rows).toBe(2000);
      // Sums and fp32 matrix products in another order: predictions agree to rounding, AUCs to a few 1e-5.
      expect(Math.abs(scored.auc - (evaluated.result!["auc"] as number))).toBeLessThan(2e-4);
    });

  it("export rejects an unknown --format with exit code 2 and says which formats exist", async () => {
    const run = await runColony(["export", "--checkpoint", await checkpoint(1), "--format", "onnx", "--out", join(tempDir(), "m.onnx")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown export format "onnx"');
    expect(run.stderr).toContain("--format safetensors");
  });

  it("inspect of a directory that is not a checkpoint exits 2 and names manifest.json", async () => {
    const run = await runColony(["inspect", "--checkpoint", tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/manifest\.json/);
  });
});
