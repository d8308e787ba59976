import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../../supervisor/config/index.js";

const CSV_CONFIG = `
job:
  model: lr
  data:
    path: train.csv
    format: csv
    label: { column: class, positive: ">50K" }
`;

// Each test gets its own directory tree; this list only remembers what to delete.
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp dir with `files` written into it (paths relative to it). */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "colony-config-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

async function loadError(path: string, overrides: string[] = [], cwd?: string): Promise<ConfigError> {
  try {
    await loadConfig(path, overrides, cwd === undefined ? {} : { cwd });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("loadConfig accepted an invalid config");
}

describe("loadConfig", () => {
  it("reads a YAML file and fills in the defaults", async () => {
    const dir = await tree({ "c.yaml": CSV_CONFIG });
    const cfg = await loadConfig(join(dir, "c.yaml"), [], { cwd: dir });
    expect(cfg.job.optimizer.kind).toBe("adagrad");
    expect(cfg.job.data.label).toEqual({ column: "class", positive: ">50K" });
  });

  it("applies overrides before validation, reading each value as YAML", async () => {
    const dir = await tree({ "c.yaml": CSV_CONFIG });
    const cfg = await loadConfig(join(dir, "c.yaml"), ["job.batch=512", "job.data.categorical=[a,b]", "log.level=debug"], {
      cwd: dir,
    });
    expect(cfg.job.batch).toBe(512);
    expect(cfg.job.data.categorical).toEqual(["a", "b"]);
    expect(cfg.log.level).toBe("debug");
  });

  it("reports an override's bad value like a bad value in the file", async () => {
    const dir = await tree({ "c.yaml": CSV_CONFIG });
    const err = await loadError(join(dir, "c.yaml"), ["job.optimizer.kind=adamw"], dir);
    expect(err.message).toContain('job.optimizer.kind: got "adamw"; allowed: sgd | adagrad | adam');
  });

  it("rejects an unknown override path", async () => {
    const dir = await tree({ "c.yaml": CSV_CONFIG });
    const err = await loadError(join(dir, "c.yaml"), ["job.optimizer.kindd=sgd"], dir);
    expect(err.issues[0]?.path).toBe("job.optimizer.kindd");
    expect(err.source).toBe(join(dir, "c.yaml"));
  });

  it("resolves a relative data path against the working directory when the file exists there", async () => {
    const dir = await tree({ "conf/c.yaml": CSV_CONFIG, "train.csv": "a\n", "conf/train.csv": "a\n" });
    const cfg = await loadConfig("conf/c.yaml", [], { cwd: dir });
    expect(cfg.job.data.path).toBe(join(dir, "train.csv"));
  });

  it("resolves a relative data path against the config file's directory otherwise", async () => {
    const dir = await tree({ "conf/c.yaml": CSV_CONFIG, "conf/train.csv": "a\n" });
    const cfg = await loadConfig("conf/c.yaml", [], { cwd: dir });
    expect(cfg.job.data.path).toBe(join(dir, "conf", "train.csv"));
  });

  it("resolves the eval path by the same rule and keeps absolute paths", async () => {
    const dir = await tree({ "conf/c.yaml": CSV_CONFIG, "test.csv": "a\n" });
    const cfg = await loadConfig("conf/c.yaml", ["job.data.eval=test.csv", "job.data.path=/data/train.csv"], { cwd: dir });
    expect(cfg.job.data.eval).toBe(join(dir, "test.csv"));
    expect(cfg.job.data.path).toBe("/data/train.csv");
  });

  it("resolves a data file found nowhere against the config file's directory", async () => {
    const dir = await tree({ "conf/c.yaml": CSV_CONFIG });
    const cfg = await loadConfig("conf/c.yaml", [], { cwd: dir });
    expect(cfg.job.data.path).toBe(join(dir, "conf", "train.csv"));
  });

  it("reports a file that can't be read as a ConfigError naming it", async () => {
    const dir = await tree({});
    const err = await loadError(join(dir, "missing.yaml"));
    expect(err.message).toContain("cannot read cluster config: ENOENT");
    expect(err.message).toContain("missing.yaml");
  });

  it("reports YAML syntax errors with their line", async () => {
    const dir = await tree({ "c.yaml": "job:\n  model: [lr\n" });
    const err = await loadError(join(dir, "c.yaml"));
    expect(err.message).toMatch(/not valid YAML[\s\S]*line \d+/);
  });

  it("rejects a key written twice", async () => {
    const dir = await tree({ "c.yaml": `${CSV_CONFIG}seed: 1\nseed: 2\n` });
    const err = await loadError(join(dir, "c.yaml"));
    expect(err.message).toContain("not valid YAML");
  });

  it("treats an empty file as an empty mapping, so the missing job is reported", async () => {
    const dir = await tree({ "c.yaml": "# nothing yet\n" });
    const err = await loadError(join(dir, "c.yaml"));
    expect(err.issues.map((i) => i.path)).toEqual(["job"]);
  });

  it("rejects a document that is not a mapping", async () => {
    const dir = await tree({ "c.yaml": "- a\n- b\n" });
    const err = await loadError(join(dir, "c.yaml"));
    expect(err.message).toContain('(document): got ["a","b"]; allowed: mapping');
  });
});
