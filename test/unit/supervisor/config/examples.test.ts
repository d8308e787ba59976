import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../supervisor/config/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const ADULT_SOURCE = join(ROOT, "../shared/data/adult/adult.data");
const ADULT_COLUMNS = {
  categorical: ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country"],
  numeric: ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"],
};

function lines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
}

describe("examples/*.yaml", () => {
  it("adult.yaml trains lr on the committed adult split, from the repo root", async () => {
    const cfg = await loadConfig("examples/adult.yaml", [], { cwd: ROOT });
    expect(cfg.cluster).toBe("adult");
    expect(cfg.job).toMatchObject({ model: "lr", batch: 256, epochs: 3, optimizer: { kind: "adagrad", lr: 0.1 } });
    expect(cfg.job.data).toMatchObject({
      path: join(ROOT, "examples/data/adult-train.csv"),
      eval: join(ROOT, "examples/data/adult-test.csv"),
      format: "csv",
      label: { column: "class", positive: ">50K" },
      rowsPerTask: 2048,
      ...ADULT_COLUMNS,
    });
    expect([cfg.shards.count, cfg.workers.count]).toEqual([2, 2]);
    expect(existsSync(cfg.job.data.path)).toBe(true);
  });

  it("adult-fm.yaml is adult.yaml with the fm model", async () => {
    const lr = await loadConfig("examples/adult.yaml", [], { cwd: ROOT });
    const fm = await loadConfig("examples/adult-fm.yaml", [], { cwd: ROOT });
    expect(fm.job.model).toBe("fm");
    expect(fm.job.embeddingDim).toBe(8);
    expect({ ...fm.job, model: "lr" }).toEqual(lr.job);
  });

  it("adult.yaml names only columns that the training file has", async () => {
    const cfg = await loadConfig("examples/adult.yaml", [], { cwd: ROOT });
    const header = (lines(cfg.job.data.path)[0] ?? "").split(",");
    const { categorical, numeric, label } = cfg.job.data;
    for (const col of [...categorical, ...numeric, label?.column ?? ""]) expect(header).toContain(col);
  });

  it("ctr.yaml trains dlrm-small on criteo-layout data with the benchmark's optimizer", async () => {
    const cfg = await loadConfig("examples/ctr.yaml", [], { cwd: ROOT });
    expect(cfg.cluster).toBe("ctr");
    expect(cfg.job).toMatchObject({
      model: "dlrm-small",
      embeddingDim: 16,
      batch: 2048,
      epochs: 1,
      optimizer: { kind: "adagrad", lr: 0.05, eps: 1e-10, initialAccumulator: 0 },
    });
    expect(cfg.job.data).toMatchObject({ format: "criteo", idModulo: 2 ** 20 });
    expect(cfg.job.data.path.endsWith("examples/data/ctr-train.tsv")).toBe(true);
    expect(cfg.job.data.eval?.endsWith("examples/data/ctr-test.tsv")).toBe(true);
    expect([cfg.shards.count, cfg.workers.count]).toEqual([2, 2]);
  });

  it("run from examples/ as working directory, resolve data paths against the config file's directory", async () => {
    const cfg = await loadConfig("adult.yaml", [], { cwd: join(ROOT, "examples") });
    // Not under cwd (examples/examples/...) and not next to the file either: the rule
    // falls back to the config file's directory.
    expect(cfg.job.data.path).toBe(join(ROOT, "examples/examples/data/adult-train.csv"));
  });
});

describe("examples/data adult split", () => {
  const train = join(ROOT, "examples/data/adult-train.csv");
  const test = join(ROOT, "examples/data/adult-test.csv");

  it("keeps the header in both files and holds out about 20% of the rows", () => {
    const [trainHeader, ...trainRows] = lines(train);
    const [testHeader, ...testRows] = lines(test);
    expect(trainHeader).toMatch(/^age,workclass,.*,class$/);
    expect(testHeader).toBe(trainHeader);
    const share = testRows.length / (trainRows.length + testRows.length);
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
  });

  it.skipIf(!existsSync(ADULT_SOURCE))("partitions the source rows: every row in exactly one file, order kept", () => {
    const [, ...source] = lines(ADULT_SOURCE);
    const [, ...trainRows] = lines(train);
    const [, ...testRows] = lines(test);
    expect(trainRows.length + testRows.length).toBe(source.length);
    // Merge back in source order: each source row must come next from one of the files.
    let ti = 0;
    let si = 0;
    for (const row of source) {
      if (trainRows[ti] === row) ti++;
      else if (testRows[si] === row) si++;
      else throw new Error(`row not found in order: ${row}`);
    }
    expect([ti, si]).toEqual([trainRows.length, testRows.length]);
  });
});
