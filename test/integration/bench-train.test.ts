import { describe, expect, it } from "vitest";
import { ctrFile } from "../helpers/ctr-data.js";
import { runColony } from "../helpers/colony-cli.js";
import { NATIVE_SKIP_NOTE, nativeBuilt } from "../unit/gpu/helpers/tensors.js";

describe("colony bench train (the built CLI)", () => {
  it.skipIf(!nativeBuilt)(`--json prints one line with loop and end-to-end samples/s and a test AUC well above 0.5${NATIVE_SKIP_NOTE}`, async () => {
    const run = await runColony(["bench", "train", "--data", ctrFile(20_000, 1), "--test", ctrFile(10_000, 2), "--json", "--threads", "1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    const r = run.result!;
    expect(r).toMatchObject({ command: "bench train", model: "dlrm-small", kernels: "cpu", batch: 2048, epochs: 1, trainRows: 20_000, testRows: 10_000, batches: 10 });
    for (const key of ["loopSamplesPerSec", "e2eSamplesPerSec", "loopSeconds", "totalSeconds"]) expect(r[key], key).toBeGreaterThan(0);
    // The loop is part of the whole run, whatever the machine's speed.
    expect(r["loopSeconds"] as number).toBeLessThanOrEqual(r["totalSeconds"] as number);
    expect(r["e2eSamplesPerSec"] as number).toBeLessThanOrEqual(r["loopSamplesPerSec"] as number);
    expect(r["testAuc"] as number).toBeGreaterThan(0.6);
    expect(Object.keys(r["perBatchMs"] as object).sort()).toEqual(["gather", "lookup", "optimizer", "plan", "read", "step"]);
  });

  it("prints what it measured as text without --json", async () => {
    const run = await runColony(["bench", "train", "--data", ctrFile(2000, 32), "--test", ctrFile(2000, 32), "--threads", "1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/training loop: [\d,]+ samples\/s/);
    expect(run.stdout).toMatch(/end to end: +[\d,]+ samples\/s/);
    expect(run.stdout).toMatch(/test AUC: +0\.\d{4}/);
  });

  it.skipIf(!nativeBuilt)(`trains the model and data format its --config names (lr on the census CSV, 3 epochs)${NATIVE_SKIP_NOTE}`, async () => {
    const run = await runColony([
      "bench", "train", "--config", "examples/adult.yaml", "--data", "examples/data/adult-train.csv", "--test", "examples/data/adult-test.csv", "--json", "--threads", "1",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ model: "lr", batch: 256, epochs: 3, testRows: 6343 });
    // Three passes over the 26,218-row training file.
    expect(run.result!["trainRows"]).toBe(3 * 26_218);
    expect(run.result!["testAuc"] as number).toBeGreaterThan(0.85);
  });

  it("exits 2 naming the file when the data file is missing", async () => {
    const run = await runColony(["bench", "train", "--data", "/nonexistent/train.tsv", "--test", ctrFile(2000, 32), "--json"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("cannot read data file /nonexistent/train.tsv (ENOENT)");
  });

  it("exits 2 with the allowed values for an unknown backend", async () => {
    const run = await runColony(["bench", "train", "--data", ctrFile(2000, 32), "--test", ctrFile(2000, 32), "--backend", "gpu"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--backend must be cpu, cuda or auto, got 'gpu'");
  });

  it("exits 2 saying CUDA is unavailable for --backend cuda when no device answers", async () => {
    const run = await runColony(["bench", "train", "--data", ctrFile(2000, 32), "--test", ctrFile(2000, 32), "--backend", "cuda", "--json"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/colony: CUDA .*use backend cpu or auto/);
  });

  it("exits 2 with usage when --test is missing", async () => {
    const run = await runColony(["bench", "train", "--data", ctrFile(2000, 32)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("colony bench train needs --data FILE and --test FILE");
  });
});
