import { describe, expect, it } from "vitest";
import { applyOverrides, ConfigError, parseOverrideValue } from "../../../../supervisor/config/index.js";

function overrideError(raw: Record<string, unknown>, overrides: string[]): ConfigError {
  try {
    applyOverrides(raw, overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("applyOverrides accepted a bad override");
}

describe("parseOverrideValue", () => {
  it.each([
    ["512", 512],
    ["0.1", 0.1],
    ["1e-10", 1e-10],
    ["true", true],
    ["[a,b]", ["a", "b"]],
    ["[]", []],
    ['{column: class, positive: ">50K"}', { column: "class", positive: ">50K" }],
    ["nats://127.0.0.1:4222", "nats://127.0.0.1:4222"],
    ['"\\t"', "\t"],
    ['"512"', "512"],
    ["train.tsv", "train.tsv"],
  ])("reads %s as YAML", (text, value) => {
    expect(parseOverrideValue(text)).toEqual(value);
  });

  it.each([">50K", ",", "|", ";", "#x", "@x", "[a,b"])("takes %s literally, as YAML can't read it as a value", (text) => {
    expect(parseOverrideValue(text)).toBe(text);
  });

  it.each(["", "null", "~"])("reads %j as null (remove the key)", (text) => {
    expect(parseOverrideValue(text)).toBeNull();
  });
});

describe("applyOverrides", () => {
  it("sets nested values, creating the mappings on the way", () => {
    const out = applyOverrides({ job: { model: "lr" } }, ["job.batch=512", "job.data.categorical=[a,b]", "shards.count=4"]);
    expect(out).toEqual({ job: { model: "lr", batch: 512, data: { categorical: ["a", "b"] } }, shards: { count: 4 } });
  });

  it("applies overrides in order, the last one winning", () => {
    expect(applyOverrides({}, ["seed=2", "seed=3"])).toEqual({ seed: 3 });
  });

  it("replaces a whole mapping when the path names one", () => {
    const out = applyOverrides({ job: { data: { label: { column: "y", positive: "1" } } } }, [
      'job.data.label={column: class, positive: ">50K"}',
    ]);
    expect(out).toEqual({ job: { data: { label: { column: "class", positive: ">50K" } } } });
  });

  it("removes a key given an empty value, so its default applies", () => {
    expect(applyOverrides({ job: { batch: 64, epochs: 2 } }, ["job.batch=", "job.epochs=null"])).toEqual({ job: {} });
  });

  it("keeps only the text after the first '='", () => {
    expect(applyOverrides({}, ["job.data.path=a=b.csv"])).toEqual({ job: { data: { path: "a=b.csv" } } });
  });

  it("does not modify the document it is given", () => {
    const raw = { job: { batch: 64 } };
    applyOverrides(raw, ["job.batch=128"]);
    expect(raw).toEqual({ job: { batch: 64 } });
  });

  it("rejects an unknown path, naming the keys allowed where it went wrong", () => {
    const err = overrideError({}, ["job.bach=512"]);
    expect(err.issues[0]).toMatchObject({ path: "job.bach", value: 512 });
    expect(err.message).toContain("--set job.bach: unknown config path; allowed keys under job: model | embeddingDim | data");
  });

  it("rejects a path that goes inside a value", () => {
    const err = overrideError({}, ["job.batch.size=3"]);
    expect(err.message).toContain("--set job.batch.size: unknown config path; allowed keys under job.batch: none");
  });

  it("rejects an override without '=' or with an empty path segment", () => {
    const err = overrideError({}, ["job.batch", "=3", "job..batch=3"]);
    expect(err.issues).toHaveLength(3);
    expect(err.message).toContain('--set "job.batch": expected dotted.path=value');
  });

  it("rejects setting inside a value that the file holds as a scalar", () => {
    const err = overrideError({ job: { data: "x" } }, ["job.data.path=t.csv"]);
    expect(err.message).toContain('job.data: got "x"; allowed: mapping (--set job.data.path needs job.data to be a mapping)');
  });

  it("reports every bad override at once", () => {
    const err = overrideError({}, ["nope=1", "job.bach=2"]);
    expect(err.issues.map((i) => i.path)).toEqual(["nope", "job.bach"]);
  });
});
