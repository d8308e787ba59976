import { describe, expect, it } from "vitest";
import { DENSE_TABLE, createModel, denseSegmentsOf } from "../../../../train/index.js";

const row = (seed: number, table: number, id: number, dim = 16): Float32Array => {
  const out = new Float32Array(dim);
  createModel({ kind: "dlrm-small", seed, fields: 4, denseDim: 2 }).initRow(table, id, out, 0);
  return out;
};

describe("row initialisation", () => {
  it("is a pure function of (seed, table, id): two models agree on every row", () => {
    expect(row(1, 2, 12345)).toEqual(row(1, 2, 12345));
  });

  it("differs between seeds, tables and ids", () => {
    const base = row(1, 2, 12345);
    expect(row(2, 2, 12345)).not.toEqual(base);
    expect(row(1, 3, 12345)).not.toEqual(base);
    expect(row(1, 2, 12346)).not.toEqual(base);
  });

  it("writes exactly dim floats at the offset", () => {
    const model = createModel({ kind: "fm", seed: 1, fields: 2, denseDim: 0 });
    const out = new Float32Array(20).fill(9);
    model.initRow(1, 4, out, 5);
    expect([...out.subarray(0, 5)]).toEqual([9, 9, 9, 9, 9]);
    expect([...out.subarray(14)]).toEqual([9, 9, 9, 9, 9, 9]);
  });

  it("gives the dense parameters the same initial values whatever the block size", () => {
    const flat = (denseBlock: number): Float32Array => {
      const opts = { kind: "dlrm-small", seed: 5, fields: 2, denseDim: 3, denseBlock } as const;
      const model = createModel(opts);
      const size = denseSegmentsOf(opts).reduce((n, s) => n + s.size, 0);
      const blocks = Math.ceil(size / denseBlock);
      const out = new Float32Array(blocks * denseBlock);
      for (let j = 0; j < blocks; j++) model.initRow(DENSE_TABLE, j, out, j * denseBlock);
      return out.subarray(0, size);
    };
    expect(flat(100)).toEqual(flat(1024));
  });

  it("throws for a table the model does not have and for a dense block past the end", () => {
    const model = createModel({ kind: "lr", seed: 1, fields: 2, denseDim: 1 });
    const out = new Float32Array(1024);
    expect(() => model.dim(2)).toThrow(RangeError);
    expect(() => model.initRow(2, 0, out, 0)).toThrow(RangeError);
    expect(() => model.initRow(DENSE_TABLE, 1, out, 0)).toThrow(RangeError);
  });
});
