import { describe, expect, it } from "vitest";
import { createOptimizer } from "../../../../train/index.js";

describe("sgd", () => {
  it("keeps no state", () => {
    expect(createOptimizer({ kind: "sgd", lr: 0.1 }).stateWidth(16)).toBe(0);
  });

  it("moves each parameter by −lr·g", () => {
    const opt = createOptimizer({ kind: "sgd", lr: 0.1 });
    const params = Float32Array.from([1, 2, 3]);
    opt.apply(params, 0, new Float32Array(0), 0, Float32Array.from([0.5, -1, 0]), 0, 3);
    expect(params[0]).toBeCloseTo(0.95, 6);
    expect(params[1]).toBeCloseTo(2.1, 6);
    expect(params[2]).toBe(3);
  });

  it("touches only the row it is given, at the offsets it is given", () => {
    const opt = createOptimizer({ kind: "sgd", lr: 1 });
    const params = Float32Array.from([1, 1, 1, 1]);
    opt.apply(params, 2, new Float32Array(0), 0, Float32Array.from([9, 0.5, 0.25]), 1, 2);
    expect([...params]).toEqual([1, 1, 0.5, 0.75]);
  });

  it("rejects a learning rate that is not positive", () => {
    expect(() => createOptimizer({ kind: "sgd", lr: 0 })).toThrow(RangeError);
    expect(() => createOptimizer({ kind: "sgd", lr: Number.NaN })).toThrow(RangeError);
  });
});
