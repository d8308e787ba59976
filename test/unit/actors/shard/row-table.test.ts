import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RowTable } from "../../../../actors/shard/row-table.js";

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Row `index` as a copy, read the way callers do: in place in its page. */
function rowOf(table: RowTable, index: number): number[] {
  const offset = table.offset(index);
  return Array.from(table.page(index).subarray(offset, offset + table.width));
}

/** Writes a value into every float of row `index` that identifies the row and the column. */
function sign(table: RowTable, index: number): void {
  const offset = table.offset(index);
  const page = table.page(index);
  for (let c = 0; c < table.width; c++) page[offset + c] = index * 8 + c;
}

function signatureOf(table: RowTable, index: number): number[] {
  return Array.from({ length: table.width }, (_, c) => index * 8 + c);
}

describe("RowTable", () => {
  describe("lookup", () => {
    it("finds exactly what was inserted, like a Map keyed by hi:lo", () => {
      fc.assert(
        fc.property(
          // Small ranges on purpose, so the same keys and near-collisions come up often.
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })), { maxLength: 300 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })), { maxLength: 50 }),
          (inserts, probes) => {
            const table = new RowTable({ width: 2, pageRows: 8 });
            const reference = new Map<string, number>();
            for (const [hi, lo] of inserts) {
              const index = table.findOrInsert(hi, lo);
              const key = `${hi}:${lo}`;
              const known = reference.get(key);
              expect(table.lastCreated).toBe(known === undefined);
              if (known === undefined) reference.set(key, index);
              else expect(index).toBe(known);
            }
            expect(table.size).toBe(reference.size);
            for (const [hi, lo] of [...inserts, ...probes]) {
              expect(table.find(hi, lo)).toBe(reference.get(`${hi}:${lo}`) ?? -1);
            }
          },
        ),
      );
    });

    it("finds what was inserted over the full u32 range of both halves", () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.tuple(u32, u32), { selector: ([hi, lo]) => `${hi}:${lo}`, maxLength: 500 }), (keys) => {
          const table = new RowTable({ width: 1, pageRows: 16 });
          keys.forEach(([hi, lo], i) => {
            expect(table.findOrInsert(hi, lo)).toBe(i);
          });
          keys.forEach(([hi, lo], i) => {
            expect(table.find(hi, lo)).toBe(i);
          });
        }),
      );
    });

    it("returns -1 for a key that was never inserted", () => {
      const table = new RowTable({ width: 4 });
      table.findOrInsert(1, 2);
      expect(table.find(2, 1)).toBe(-1);
      expect(table.find(1, 3)).toBe(-1);
      expect(new RowTable({ width: 4 }).find(0, 0)).toBe(-1);
    });

    it("keeps keys that differ only in hi apart", () => {
      const table = new RowTable({ width: 1 });
      const indexes = Array.from({ length: 1000 }, (_, hi) => table.findOrInsert(hi, 7));
      expect(new Set(indexes).size).toBe(1000);
      for (let hi = 0; hi < 1000; hi++) expect(table.find(hi, 7)).toBe(indexes[hi]);
    });

    it("keeps keys that differ only in lo apart", () => {
      const table = new RowTable({ width: 1 });
      const indexes = Array.from({ length: 1000 }, (_, lo) => table.findOrInsert(7, lo));
      expect(new Set(indexes).size).toBe(1000);
      for (let lo = 0; lo < 1000; lo++) expect(table.find(7, lo)).toBe(indexes[lo]);
    });

    it("does not confuse (a, b) with (b, a)", () => {
      const table = new RowTable({ width: 1 });
      const ab = table.findOrInsert(3, 5);
      const ba = table.findOrInsert(5, 3);
      expect(ab).not.toBe(ba);
      expect(table.find(3, 5)).toBe(ab);
      expect(table.find(5, 3)).toBe(ba);
    });

    it("stores the extreme keys 0:0 and 0xffffffff:0xffffffff", () => {
      const table = new RowTable({ width: 2 });
      const zero = table.findOrInsert(0, 0);
      const ones = table.findOrInsert(0xffffffff, 0xffffffff);
      expect(table.size).toBe(2);
      expect(table.find(0, 0)).toBe(zero);
      expect(table.find(0xffffffff, 0xffffffff)).toBe(ones);
      expect(table.find(0, 0xffffffff)).toBe(-1);
      expect(table.find(0xffffffff, 0)).toBe(-1);
      expect([table.keyHi(ones), table.keyLo(ones)]).toEqual([0xffffffff, 0xffffffff]);
    });

    it("takes key halves modulo 2^32, so -1 names the same key as 0xffffffff", () => {
      const table = new RowTable({ width: 1 });
      const index = table.findOrInsert(-1, -1);
      expect(table.find(0xffffffff, 0xffffffff)).toBe(index);
      expect(table.keyHi(index)).toBe(0xffffffff);
    });
  });

  describe("findOrInsert", () => {
    it("numbers new rows densely in insertion order and reports them as created", () => {
      const table = new RowTable({ width: 1 });
      expect(table.findOrInsert(9, 9)).toBe(0);
      expect(table.lastCreated).toBe(true);
      expect(table.findOrInsert(1, 1)).toBe(1);
      expect(table.lastCreated).toBe(true);
      expect(table.size).toBe(2);
    });

    it("returns the existing row and reports it as found when the key is already there", () => {
      const table = new RowTable({ width: 1 });
      table.findOrInsert(9, 9);
      table.findOrInsert(1, 1);
      expect(table.findOrInsert(9, 9)).toBe(0);
      expect(table.lastCreated).toBe(false);
      expect(table.size).toBe(2);
    });

    it("hands out zero-filled rows, even on a page where earlier rows were written", () => {
      const table = new RowTable({ width: 3, pageRows: 4 });
      for (let i = 0; i < 10; i++) {
        const index = table.findOrInsert(1, i);
        expect(rowOf(table, index)).toEqual([0, 0, 0]);
        sign(table, index);
      }
    });
  });

  describe("rows in place", () => {
    it("lets a caller write a row through page and offset and read it back by key", () => {
      const table = new RowTable({ width: 4 });
      const index = table.findOrInsert(2, 42);
      const offset = table.offset(index);
      table.page(index).set([1, 2, 3, 4], offset);
      const found = table.find(2, 42);
      expect(rowOf(table, found)).toEqual([1, 2, 3, 4]);
    });

    it("gives neighbouring rows disjoint ranges", () => {
      const table = new RowTable({ width: 3, pageRows: 4 });
      for (let i = 0; i < 4; i++) table.findOrInsert(0, i);
      for (let i = 0; i < 4; i++) sign(table, i);
      for (let i = 0; i < 4; i++) expect(rowOf(table, i)).toEqual(signatureOf(table, i));
    });

    it("starts a new page at each multiple of pageRows, at offset 0", () => {
      const table = new RowTable({ width: 3, pageRows: 4 });
      for (let i = 0; i < 9; i++) table.findOrInsert(5, i);
      expect(table.page(3)).toBe(table.page(0));
      expect(table.page(4)).not.toBe(table.page(3));
      expect(table.offset(3)).toBe(9);
      expect(table.offset(4)).toBe(0);
      expect(table.offset(8)).toBe(0);
      expect(table.page(8).length).toBe(4 * 3);
    });

    it("begins with 16-row pages that double until they reach pageRows", () => {
      const table = new RowTable({ width: 3, pageRows: 64 });
      for (let i = 0; i < 200; i++) table.findOrInsert(5, i);
      const pageStarts = [0, 16, 32, 64, 128, 192];
      const pageRows = [16, 16, 32, 64, 64, 64];
      pageStarts.forEach((start, p) => {
        expect(table.offset(start)).toBe(0);
        expect(table.page(start).length).toBe(pageRows[p]! * 3);
        const last = Math.min(start + pageRows[p]! - 1, table.size - 1);
        expect(table.page(last)).toBe(table.page(start));
        expect(table.offset(last)).toBe((last - start) * 3);
      });
      expect(table.page(15)).not.toBe(table.page(16));
      expect(table.page(63)).not.toBe(table.page(64));
    });

    it("keeps every page and offset valid while later rows are inserted", () => {
      const table = new RowTable({ width: 2, pageRows: 4 });
      table.findOrInsert(0, 0);
      const page = table.page(0);
      for (let i = 1; i < 1000; i++) table.findOrInsert(0, i);
      expect(table.page(0)).toBe(page);
      expect(table.offset(0)).toBe(0);
    });

    it("refuses indexes outside 0..size-1", () => {
      const table = new RowTable({ width: 2, pageRows: 4 });
      table.findOrInsert(0, 0);
      expect(() => table.page(1)).toThrow(RangeError);
      expect(() => table.offset(-1)).toThrow(RangeError);
      expect(() => table.keyHi(0.5)).toThrow(RangeError);
      expect(() => table.keyLo(1)).toThrow(RangeError);
    });
  });

  describe("keys by index", () => {
    it("returns each row's key halves, so rows can be walked in index order", () => {
      const table = new RowTable({ width: 1, pageRows: 2 });
      const keys: Array<[number, number]> = [
        [3, 30],
        [0, 0],
        [0xffffffff, 1],
        [7, 0xfffffffe],
        [3, 31],
      ];
      for (const [hi, lo] of keys) table.findOrInsert(hi, lo);
      const walked = Array.from({ length: table.size }, (_, i) => [table.keyHi(i), table.keyLo(i)]);
      expect(walked).toEqual(keys);
    });
  });

  describe("growth", () => {
    it("keeps every row's contents and index across many resizes and page boundaries", () => {
      const table = new RowTable({ width: 5, pageRows: 64 });
      const rows = 20_000;
      const startCapacity = table.capacity;
      for (let i = 0; i < rows; i++) {
        const index = table.findOrInsert(i % 26, Math.imul(i, 0x9e3779b1) >>> 0);
        expect(index).toBe(i);
        sign(table, index);
      }
      expect(table.capacity).toBeGreaterThanOrEqual(startCapacity * 1024);
      for (let i = 0; i < rows; i++) {
        expect(table.find(i % 26, Math.imul(i, 0x9e3779b1) >>> 0)).toBe(i);
        expect(rowOf(table, i)).toEqual(signatureOf(table, i));
      }
    });

    it("stays at or under 70% full", () => {
      const table = new RowTable({ width: 1 });
      for (let i = 0; i < 5000; i++) {
        table.findOrInsert(1, i);
        expect(table.size / table.capacity).toBeLessThanOrEqual(0.7);
      }
    });

    it("does not resize before initialCapacity rows", () => {
      const table = new RowTable({ width: 1, initialCapacity: 1000 });
      const capacity = table.capacity;
      for (let i = 0; i < 1000; i++) table.findOrInsert(0, i);
      expect(table.capacity).toBe(capacity);
    });
  });

  describe("memory", () => {
    it("allocates a small first page, so a wide table with few rows stays small", () => {
      const table = new RowTable({ width: 3072 });
      table.findOrInsert(0xffff, 0);
      const firstPage = 16 * 3072 * 4 + 16 * 2 * 4;
      expect(table.byteLength()).toBe(table.capacity * 12 + firstPage);
    });

    it("counts the slot arrays and whole pages in byteLength, and allocates pages only as needed", () => {
      const table = new RowTable({ width: 4, pageRows: 8 });
      const slotBytes = table.capacity * 12;
      expect(table.byteLength()).toBe(slotBytes);
      table.findOrInsert(0, 1);
      const pageBytes = 8 * 4 * 4 + 8 * 2 * 4;
      expect(table.byteLength()).toBe(slotBytes + pageBytes);
      for (let i = 2; i <= 8; i++) table.findOrInsert(0, i);
      expect(table.byteLength()).toBe(slotBytes + pageBytes);
      table.findOrInsert(0, 9);
      expect(table.byteLength()).toBe(slotBytes + 2 * pageBytes);
    });
  });

  describe("clear", () => {
    it("empties the table, releases its pages and accepts the same keys as new rows", () => {
      const table = new RowTable({ width: 2, pageRows: 4 });
      const empty = table.byteLength();
      for (let i = 0; i < 100; i++) sign(table, table.findOrInsert(1, i));
      table.clear();
      expect(table.size).toBe(0);
      expect(table.byteLength()).toBe(empty);
      expect(table.find(1, 5)).toBe(-1);
      const index = table.findOrInsert(1, 5);
      expect(index).toBe(0);
      expect(table.lastCreated).toBe(true);
      expect(rowOf(table, index)).toEqual([0, 0]);
    });
  });

  describe("construction", () => {
    it("rejects a width that is not a positive integer", () => {
      expect(() => new RowTable({ width: 0 })).toThrow(RangeError);
      expect(() => new RowTable({ width: 2.5 })).toThrow(RangeError);
    });

    it("rejects a pageRows that is not a power of two", () => {
      expect(() => new RowTable({ width: 1, pageRows: 100 })).toThrow(RangeError);
      expect(() => new RowTable({ width: 1, pageRows: 0 })).toThrow(RangeError);
    });

    it("rejects a negative initialCapacity", () => {
      expect(() => new RowTable({ width: 1, initialCapacity: -1 })).toThrow(RangeError);
    });
  });

  describe("delete", () => {
    it("behaves like a Map under any mix of inserts and deletes: contents, values and dense indexes", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 60 })), { maxLength: 400 }),
          (ops) => {
            const table = new RowTable({ width: 3, pageRows: 8 });
            const reference = new Map<string, number>();
            let stamp = 1;
            for (const [insert, hi, lo] of ops) {
              const key = `${hi}:${lo}`;
              if (insert) {
                const index = table.findOrInsert(hi, lo);
                const offset = table.offset(index);
                if (table.lastCreated) {
                  // A reused row must come back zero-filled.
                  expect(Array.from(table.page(index).subarray(offset, offset + 3))).toEqual([0, 0, 0]);
                  table.page(index).fill(stamp, offset, offset + 3);
                  reference.set(key, stamp++);
                }
              } else {
                expect(table.delete(hi, lo)).toBe(reference.delete(key));
              }
              expect(table.size).toBe(reference.size);
            }
            for (const [key, value] of reference) {
              const [hi, lo] = key.split(":").map(Number) as [number, number];
              const index = table.find(hi, lo);
              expect(index).toBeGreaterThanOrEqual(0);
              expect(index).toBeLessThan(table.size);
              expect(`${table.keyHi(index)}:${table.keyLo(index)}`).toBe(key);
              expect(rowOf(table, index)).toEqual([value, value, value]);
            }
          },
        ),
      );
    });

    it("finds every remaining key after deleting most of a table that grew", () => {
      const table = new RowTable({ width: 1 });
      for (let id = 0; id < 5000; id++) table.page(table.findOrInsert(7, id))[table.offset(table.find(7, id))] = id;
      for (let id = 0; id < 5000; id++) if (id % 5 !== 0) expect(table.delete(7, id)).toBe(true);
      expect(table.size).toBe(1000);
      for (let id = 0; id < 5000; id++) {
        const index = table.find(7, id);
        if (id % 5 === 0) expect(rowOf(table, index)).toEqual([id]);
        else expect(index).toBe(-1);
      }
      expect(table.delete(7, 1)).toBe(false);
    });
  });
});
