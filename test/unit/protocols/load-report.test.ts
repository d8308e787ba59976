import { encode as rawEncode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, ProtocolError, RejectReason, type LoadReport } from "../../../protocols/index.js";

const report = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  v: 1, type: "ps.load", shardId: "shard-1", epoch: 3, at: 1_700_000_000_000, halfLifeMs: 10_000,
  load: { partitions: [1, 5], pullRows: [120.5, 3], pullBytes: [7712, 192], pushRows: [118, 3], pushBytes: [7552, 192] },
  hotKeys: [{ table: 2, id: 1, partition: 5, rate: 90.5, error: 0.5 }],
  ...over,
});

const rejection = (m: Record<string, unknown>): string => {
  try {
    decodeMessage(rawEncode(m), ["ps.load"]);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).reason;
  }
  throw new Error("expected the report to be rejected");
};

describe("ps.load (a shard's load report)", () => {
  it("round-trips through the codec with every column and hot key intact", () => {
    const m = decodeMessage(encodeMessage(report() as unknown as LoadReport), ["ps.load"]);
    expect(m.shardId).toBe("shard-1");
    expect(m.load.partitions).toEqual([1, 5]);
    expect(m.load.pullRows).toEqual([120.5, 3]);
    expect(m.hotKeys[0]).toEqual({ table: 2, id: 1, partition: 5, rate: 90.5, error: 0.5 });
  });

  it("stays small: 64 partitions and 16 hot keys encode under 4 KB", () => {
    const n = 64;
    const col = (f: number) => Array.from({ length: n }, (_, i) => (i + 1) * f + 0.123456789);
    const big = report({
      load: { partitions: Array.from({ length: n }, (_, i) => i * 4), pullRows: col(10), pullBytes: col(640), pushRows: col(10), pushBytes: col(640) },
      hotKeys: Array.from({ length: 16 }, (_, i) => ({ table: i, id: 1, partition: i, rate: 100.5, error: 0.25 })),
    });
    expect(encodeMessage(big as unknown as LoadReport).byteLength).toBeLessThan(4096);
  });

  it("rejects columns of different lengths as wrong_shape", () => {
    expect(rejection(report({ load: { partitions: [1, 5], pullRows: [1], pullBytes: [1, 2], pushRows: [1, 2], pushBytes: [1, 2] } }))).toBe(RejectReason.WrongShape);
  });

  it("rejects a negative or non-finite rate", () => {
    expect(rejection(report({ load: { partitions: [1], pullRows: [-1], pullBytes: [0], pushRows: [0], pushBytes: [0] } }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ load: { partitions: [1], pullRows: [Number.NaN], pullBytes: [0], pushRows: [0], pushBytes: [0] } }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ hotKeys: [{ table: 2, id: 1, partition: 5, rate: Number.POSITIVE_INFINITY, error: 0 }] }))).toBe(RejectReason.InvalidField);
  });

  it("rejects a partition listed twice, a fractional partition, and a bad shard id", () => {
    expect(rejection(report({ load: { partitions: [1, 1], pullRows: [1, 1], pullBytes: [1, 1], pushRows: [1, 1], pushBytes: [1, 1] } }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ load: { partitions: [1.5], pullRows: [1], pullBytes: [1], pushRows: [1], pushBytes: [1] } }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ shardId: "Shard 1; drop" }))).toBe(RejectReason.InvalidField);
  });

  it("rejects a report without its load, with hot keys that are not maps, or with too many hot keys", () => {
    expect(rejection(report({ load: undefined }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ hotKeys: [42] }))).toBe(RejectReason.InvalidField);
    expect(rejection(report({ hotKeys: Array.from({ length: 65 }, () => ({ table: 0, id: 0, partition: 0, rate: 1, error: 0 })) }))).toBe(RejectReason.InvalidField);
  });

  it("rejects an unknown version", () => {
    expect(rejection(report({ v: 2 }))).toBe(RejectReason.UnsupportedVersion);
  });
});

describe("ctl.rebalance.plan (an operator's dry-run request)", () => {
  it("accepts an empty request and one with a target and a cap", () => {
    expect(decodeMessage(rawEncode({ v: 1, type: "ctl.rebalance.plan" }), ["ctl.rebalance.plan"]).targetRatio).toBeUndefined();
    const m = decodeMessage(rawEncode({ v: 1, type: "ctl.rebalance.plan", targetRatio: 1.2, maxMoves: 4 }), ["ctl.rebalance.plan"]);
    expect(m).toMatchObject({ targetRatio: 1.2, maxMoves: 4 });
  });

  it("rejects a target below 1 (max/mean can't be below 1) and a negative cap", () => {
    expect(() => decodeMessage(rawEncode({ v: 1, type: "ctl.rebalance.plan", targetRatio: 0.9 }), ["ctl.rebalance.plan"])).toThrow(ProtocolError);
    expect(() => decodeMessage(rawEncode({ v: 1, type: "ctl.rebalance.plan", maxMoves: -1 }), ["ctl.rebalance.plan"])).toThrow(ProtocolError);
  });
});
