import { describe, expect, it } from "vitest";
import { RowStore, type RowInit } from "../../../../train/in-process/index.js";

const DIM = 4;
const STATE = 3;

/** Row (table, id) starts as [table, id, 0, 1]; its state as [7, 7, 7]. */
const init: RowInit = {
  params(table, id, out, off) {
    out.set([table, id, 0, 1], off);
  },
  state(out, off) {
    out.fill(7, off, off + STATE);
  },
};

function rowsOf(store: RowStore, keys: [table: number, id: number][]): number[] {
  const out = new Int32Array(keys.length);
  store.rowsOf(Uint32Array.from(keys.map((k) => k[0])), Uint32Array.from(keys.map((k) => k[1])), keys.length, out);
  return [...out];
}

describe("RowStore (in-process rows keyed by (table, id))", () => {
  it("gives a key the same row every time and different keys different rows, the same id in two tables included", () => {
    const store = new RowStore(DIM, STATE, init);
    const first = rowsOf(store, [[0, 5], [1, 5], [0, 6]]);
    const again = rowsOf(store, [[0, 6], [0, 5], [1, 5]]);
    expect(new Set(first).size).toBe(3);
    expect(again).toEqual([first[2], first[0], first[1]]);
    expect(store.size).toBe(3);
  });

  it("creates a new row with the model's initial values and the optimizer's initial state", () => {
    const store = new RowStore(DIM, STATE, init);
    const [row] = rowsOf(store, [[3, 0xfffffffe]]);
    expect([...store.params.subarray(row! * DIM, (row! + 1) * DIM)]).toEqual([3, 0xfffffffe, 0, 1].map(Math.fround));
    expect([...store.state.subarray(row! * STATE, (row! + 1) * STATE)]).toEqual([7, 7, 7]);
  });

  it("keeps every row's values and number when it grows past its initial capacity", () => {
    const store = new RowStore(DIM, STATE, init);
    const keys: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) keys.push([i % 26, Math.imul(i, 2654435761) >>> 12]);
    const [early] = rowsOf(store, [keys[0]!]);
    store.params[early! * DIM + 2] = 42; // an update made before the store grows
    const rows = rowsOf(store, keys);
    expect(store.size).toBe(new Set(keys.map(([t, id]) => `${t}:${id}`)).size);
    expect(rows[0]).toBe(early);
    expect(store.params[early! * DIM + 2]).toBe(42);
    expect(rowsOf(store, keys)).toEqual(rows);
    for (const i of [1, 17_000, 49_999]) {
      const r = rows[i]!;
      expect(store.params[r * DIM]).toBe(keys[i]![0]);
      expect(store.params[r * DIM + 1]).toBe(Math.fround(keys[i]![1]));
    }
  });

  it("refuses more keys than the output can hold", () => {
    const store = new RowStore(DIM, STATE, init);
    expect(() => store.rowsOf(new Uint32Array(3), new Uint32Array(3), 3, new Int32Array(2))).toThrow(RangeError);
  });
});
