import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DENSE_TABLE, ExportFormatError, createModel, evaluateCheckpoint, exportCheckpoint, inspectCheckpoint, readSafetensors,
  type ModelKind, type ModelOptions,
} from "../../../../train/index.js";
import { ctrFile } from "../../../helpers/ctr-data.js";
import { scoreSafetensors, unseenRow } from "../helpers/score-safetensors.js";
import { tempDir } from "../helpers/temp-files.js";
import { trainSharded, writeTrainedCheckpoint } from "../helpers/trained-checkpoint.js";

const trainPath = (): string => ctrFile(3000, 31);
const testPath = (): string => ctrFile(2000, 32);

async function exported(kind: ModelKind, shards: number): Promise<{ dir: string; out: string }> {
  const dir = await writeTrainedCheckpoint(tempDir(), await trainSharded({ kind, trainPath: trainPath(), shards }));
  const out = join(tempDir(), "model.safetensors");
  await exportCheckpoint(dir, { format: "safetensors", out });
  return { dir, out };
}

describe("colony export --format safetensors (train/checkpoint exportCheckpoint)", () => {
  it.each(["lr", "fm", "dlrm-small"] as const)(
    "writes a %s model whose tensors score the test file to the same AUC as colony eval", async (kind) => {
      const { dir, out } = await exported(kind, 2);
      const evaluated = await evaluateCheckpoint(dir, testPath(), { batch: 4096 });
      const scored = await scoreSafetensors(out, testPath());
      expect(scored.rows).toBe(2000);
      expect(evaluated.auc).toBeGreaterThan(0.55);
      expect(scored.auc).toBe(evaluated.auc);
    });

  it("lays out ids ascending as int64, rows in id order, dense tensors by name, and the metadata scoring needs", async () => {
    const { dir, out } = await exported("dlrm-small", 2);
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    const inspection = await inspectCheckpoint(dir);
    expect(file.metadata["format"]).toBe("colony.model");
    expect(file.metadata["model"]).toBe("dlrm-small");
    expect(JSON.parse(file.metadata["data"]!)).toEqual({ format: "criteo", idModulo: 2 ** 20 });
    expect(JSON.parse(file.metadata["model_options"]!)).toMatchObject({ kind: "dlrm-small", seed: 7, fields: 26, denseDim: 13, embeddingDim: 4 });
    for (const t of inspection.tables.filter((x) => x.table !== DENSE_TABLE)) {
      const ids = file.tensors.get(`${t.name}.ids`)!;
      const weight = file.tensors.get(`${t.name}.weight`)!;
      expect(ids.dtype).toBe("I64");
      expect(ids.shape).toEqual([t.rows]);
      expect(weight.shape).toEqual([t.rows, 4]);
      const values = [...(ids.data as BigInt64Array)];
      expect(values).toEqual([...values].sort((a, b) => (a < b ? -1 : 1)));
    }
    for (const d of inspection.dense) {
      const tensor = file.tensors.get(d.name)!;
      expect(tensor.dtype).toBe("F32");
      expect(tensor.shape).toEqual(d.shape);
    }
    expect(file.tensors.size).toBe(26 * 2 + inspection.dense.length);
  });

  it("writes byte-identical files for the same parameters written by one shard or by two", async () => {
    const one = await exported("fm", 1);
    const two = await exported("fm", 2);
    expect(readFileSync(two.out).equals(readFileSync(one.out))).toBe(true);
  });

  it.each(["lr", "fm", "dlrm-small"] as const)("describes unseen %s rows with a rule that gives the model's initial rows", async (kind) => {
    const { out } = await exported(kind, 1);
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    const model = createModel(JSON.parse(file.metadata["model_options"]!) as ModelOptions);
    const dim = model.dim(0);
    for (const [field, id] of [[0, 1], [3, 123_456], [25, 2 ** 20]] as const) {
      const want = new Float32Array(dim);
      const got = new Float32Array(dim);
      model.initRow(field, id, want, 0);
      unseenRow(file, field, id, dim, got, 0);
      expect(got).toEqual(want);
    }
  });

  it("rejects an unknown format with ExportFormatError naming the supported ones, and writes nothing", async () => {
    const dir = await writeTrainedCheckpoint(tempDir(), await trainSharded({ kind: "lr", trainPath: trainPath(), shards: 1 }));
    const outDir = tempDir();
    const err = await exportCheckpoint(dir, { format: "onnx", out: join(outDir, "model.onnx") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportFormatError);
    expect((err as ExportFormatError).format).toBe("onnx");
    expect((err as Error).message).toContain("--format safetensors");
    expect(readdirSync(outDir)).toEqual([]);
    expect(existsSync(join(outDir, "model.onnx"))).toBe(false);
  });
});
