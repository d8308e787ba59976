import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PartitionLedger, Verdict } from "../../../../actors/shard/partition-ledger.js";

describe("PartitionLedger", () => {
  it("applies a new entry, calls a replayed one seen and a re-appended (producer, seq) a duplicate", () => {
    const l = new PartitionLedger();
    expect(l.verdict(3, 10, "w0", 0)).toBe(Verdict.Apply);
    l.record(3, 10, "w0", 0);
    expect(l.verdict(3, 10, "w0", 0)).toBe(Verdict.Seen);
    expect(l.verdict(3, 11, "w0", 0)).toBe(Verdict.Duplicate);
    expect(l.verdict(3, 11, "w1", 0)).toBe(Verdict.Apply);
    // Another partition keeps its own record.
    expect(l.verdict(4, 11, "w0", 0)).toBe(Verdict.Apply);
    expect(l.position).toBe(10);
  });

  it("only moves its read position forward", () => {
    const l = new PartitionLedger();
    l.advance(7);
    l.advance(5);
    expect(l.position).toBe(7);
  });

  it("survives a round trip through its record, deciding every later entry the same way (property)", () => {
    const entry = fc.record({ partition: fc.integer({ min: 0, max: 3 }), producer: fc.constantFrom("a", "b"), seq: fc.integer({ min: 0, max: 6 }) });
    fc.assert(fc.property(fc.array(entry, { maxLength: 30 }), fc.array(entry, { maxLength: 10 }), (before, after) => {
      const l = new PartitionLedger();
      let streamSeq = 0;
      for (const e of before) {
        streamSeq++;
        if (l.verdict(e.partition, streamSeq, e.producer, e.seq) === Verdict.Apply) l.record(e.partition, streamSeq, e.producer, e.seq);
        else l.advance(streamSeq);
      }
      const copy = PartitionLedger.fromRecord(JSON.parse(JSON.stringify(l.toRecord())));
      expect(copy.position).toBe(l.position);
      for (const e of after) {
        streamSeq++;
        expect(copy.verdict(e.partition, streamSeq, e.producer, e.seq)).toBe(l.verdict(e.partition, streamSeq, e.producer, e.seq));
      }
    }), { numRuns: 300 });
  });
});
