import { describe, expect, it } from "vitest";
import { createOptimizer } from "../../../../train/index.js";

describe("adagrad", () => {
  it("keeps one accumulator per parameter, starting at initialAccumulator (default 0)", () => {
    const opt = createOptimizer({ kind: "adagrad", lr: 0.1 });
    expect(opt.stateWidth(16)).toBe(16);
    const state = new Float32Array(4).fill(7);
    opt.initState(state, 1, 2);
    expect([...state]).toEqual([7, 0, 0, 7]);
    createOptimizer({ kind: "adagrad", lr: 0.1, initialAccumulator: 0.5 }).initState(state, 0, 4);
    expect([...state]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it("adds g² to the accumulator, then moves by −lr·g/(√acc + eps), as PyTorch does", () => {
    const opt = createOptimizer({ kind: "adagrad", lr: 0.1 });
    const params = Float32Array.from([1, 1]);
    const state = new Float32Array(2);
    opt.apply(params, 0, state, 0, Float32Array.from([2, -0.5]), 0, 2);
    // acc = [4, 0.25]; step = 0.1·2/2 = 0.1 and 0.1·(−0.5)/0.5 = −0.1
    expect([...state]).toEqual([4, 0.25]);
    expect(params[0]).toBeCloseTo(0.9, 6);
    expect(params[1]).toBeCloseTo(1.1, 6);
    opt.apply(params, 0, state, 0, Float32Array.from([2, 0]), 0, 2);
    // acc = [8, 0.25]; step = 0.1·2/√8 = 0.0707107
    expect(state[0]).toBe(8);
    expect(params[0]).toBeCloseTo(0.9 - 0.0707107, 6);
    expect(params[1]).toBeCloseTo(1.1, 6);
  });

  it("starts from the initial accumulator", () => {
    const opt = createOptimizer({ kind: "adagrad", lr: 1, initialAccumulator: 3 });
    const params = Float32Array.from([0]);
    const state = new Float32Array(1);
    opt.initState(state, 0, 1);
    opt.apply(params, 0, state, 0, Float32Array.from([1]), 0, 1);
    // acc = 3 + 1 = 4; step = 1·1/2
    expect(params[0]).toBeCloseTo(-0.5, 6);
  });

  it("leaves a parameter unchanged for a zero gradient on a fresh row (eps keeps 0/0 away)", () => {
    const opt = createOptimizer({ kind: "adagrad", lr: 0.05 });
    const params = Float32Array.from([0.25]);
    opt.apply(params, 0, new Float32Array(1), 0, Float32Array.from([0]), 0, 1);
    expect(params[0]).toBe(0.25);
  });
});
