import { describe, expect, it } from "vitest";
import { createOptimizer } from "../../../../train/index.js";

describe("adam (row-sparse, per-row step count)", () => {
  it("keeps [m, v, t] per row: 2·dim + 1 floats, all starting at 0", () => {
    const opt = createOptimizer({ kind: "adam", lr: 0.1 });
    expect(opt.stateWidth(16)).toBe(33);
    const state = new Float32Array(7).fill(9);
    opt.initState(state, 1, 2);
    expect([...state]).toEqual([9, 0, 0, 0, 0, 0, 9]);
  });

  it("moves the first two steps of a constant gradient by exactly lr (bias correction)", () => {
    const opt = createOptimizer({ kind: "adam", lr: 0.1 });
    const params = Float32Array.from([1]);
    const state = new Float32Array(3);
    opt.apply(params, 0, state, 0, Float32Array.from([1]), 0, 1);
    // m = 0.1, v = 0.001, t = 1: step = 0.1·√0.001/0.1 · 0.1/√0.001 = 0.1
    expect(state[0]).toBeCloseTo(0.1, 7);
    expect(state[1]).toBeCloseTo(0.001, 9);
    expect(state[2]).toBe(1);
    expect(params[0]).toBeCloseTo(0.9, 6);
    opt.apply(params, 0, state, 0, Float32Array.from([1]), 0, 1);
    // m = 0.19, v = 0.001999, t = 2: step = 0.1·√0.001999/0.19 · 0.19/√0.001999 = 0.1
    expect(state[2]).toBe(2);
    expect(params[0]).toBeCloseTo(0.8, 6);
  });

  it("follows the update p −= lr·√(1−β2^t)/(1−β1^t) · m/(√v + eps) for a varying gradient", () => {
    const opt = createOptimizer({ kind: "adam", lr: 0.01, beta1: 0.5, beta2: 0.75, eps: 0.1 });
    const params = Float32Array.from([0]);
    const state = new Float32Array(3);
    opt.apply(params, 0, state, 0, Float32Array.from([2]), 0, 1);
    opt.apply(params, 0, state, 0, Float32Array.from([-1]), 0, 1);
    // t=1: m = 1, v = 1; step = 0.01·√0.25/0.5 · 1/(1 + 0.1) = 0.00909091
    // t=2: m = 0, v = 1; the second step does not move
    expect(state[0]).toBeCloseTo(0, 7);
    expect(state[1]).toBeCloseTo(1, 7);
    expect(params[0]).toBeCloseTo(-0.00909091, 7);
  });

  it("counts steps per row, so a rarely updated row gets its own bias correction", () => {
    const opt = createOptimizer({ kind: "adam", lr: 0.1 });
    const params = Float32Array.from([1, 1]);
    const state = new Float32Array(6);
    const g = Float32Array.from([1]);
    opt.apply(params, 0, state, 0, g, 0, 1);
    opt.apply(params, 0, state, 0, g, 0, 1);
    opt.apply(params, 1, state, 3, g, 0, 1);
    expect(state[2]).toBe(2);
    expect(state[5]).toBe(1);
    expect(params[1]).toBeCloseTo(0.9, 6);
  });
});
