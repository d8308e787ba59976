import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HeldOutSliceError, readHeldOutSlice } from "../../../../actors/coordinator/held-out-evaluator.js";

const spec = { format: "criteo", idModulo: 1 << 20 } as const;

/** A Criteo-layout line: label, 13 integers, 26 hex categoricals. */
const line = (label: number, i: number): string =>
  [label, ...Array.from({ length: 13 }, (_, k) => (i + k) % 50), ...Array.from({ length: 26 }, (_, k) => ((i * 31 + k) * 2654435761 >>> 0).toString(16).padStart(8, "0"))].join("\t");

function file(labels: readonly number[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "colony-slice-")), "heldout.tsv");
  writeFileSync(path, labels.map((y, i) => `${line(y, i)}\n`).join(""));
  return path;
}

describe("the held-out slice the coordinator scores", () => {
  it("is the first `rows` rows of the file, with their labels", async () => {
    const labels = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const slice = await readHeldOutSlice(file(labels), spec, 20);
    expect(slice.rows).toBe(20);
    expect([...slice.labels]).toEqual(labels.slice(0, 20));
  });

  it("is the whole file when it holds fewer rows than asked", async () => {
    expect((await readHeldOutSlice(file([0, 1, 0, 1, 1]), spec, 2048)).rows).toBe(5);
  });

  it("is refused when its rows hold one class only, since AUC needs both", async () => {
    const path = file([0, 0, 0, 0, 0, 0, 1]);
    await expect(readHeldOutSlice(path, spec, 6)).rejects.toBeInstanceOf(HeldOutSliceError);
    await expect(readHeldOutSlice(path, spec, 6)).rejects.toThrow(/one class only.*observability\.evalRows/);
    expect((await readHeldOutSlice(path, spec, 7)).rows).toBe(7);
  });

  it("is refused when the file has no readable row", async () => {
    await expect(readHeldOutSlice(file([]), spec, 10)).rejects.toBeInstanceOf(HeldOutSliceError);
  });
});
