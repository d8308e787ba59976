import { encode as rawEncode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeMessage, encodeMessage, MESSAGE_TYPES, ProtocolError, RejectReason, tensor, type MessageType,
} from "../../../protocols/index.js";

const reasonOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).reason;
  }
  throw new Error("expected a ProtocolError");
};

const update = (over: Record<string, unknown> = {}) => ({
  v: 1, type: "log.update", producer: "worker-0", seq: 3, partition: 1,
  tables: tensor(Uint32Array.of(0, 1)), ids: tensor(Uint32Array.of(7, 9)), grads: tensor(Float32Array.of(0.5, -0.25)),
  ...over,
});

describe("decodeMessage", () => {
  it("round-trips an update-log entry, tensors arriving as typed arrays with their values", () => {
    const m = decodeMessage(rawEncode(update()), ["log.update"]);
    expect(m.producer).toBe("worker-0");
    expect(m.tables).toBeInstanceOf(Uint32Array);
    expect([...m.ids]).toEqual([7, 9]);
    expect([...m.grads]).toEqual([0.5, -0.25]);
  });

  it("reads a tensor at an unaligned offset by copying, with the same values", () => {
    // A 1-char producer shifts the bin payload off a 4-byte boundary in most encodings.
    for (const producer of ["a", "ab", "abc", "abcd"]) {
      const m = decodeMessage(rawEncode(update({ producer })), ["log.update"]);
      expect([...m.grads]).toEqual([0.5, -0.25]);
    }
  });

  it("reads tensors from a Node Buffer at any byte offset, as NATS delivers them", () => {
    const bytes = rawEncode(update());
    for (let shift = 0; shift < 4; shift++) {
      const pool = Buffer.alloc(bytes.length + 8);
      pool.set(bytes, shift);
      const m = decodeMessage(pool.subarray(shift, shift + bytes.length), ["log.update"]);
      expect([...m.ids]).toEqual([7, 9]);
      expect([...m.grads]).toEqual([0.5, -0.25]);
    }
  });

  it("rejects bytes that are not msgpack as malformed", () => {
    expect(reasonOf(() => decodeMessage(Uint8Array.of(0xc1), ["log.update"]))).toBe(RejectReason.Malformed);
  });

  it("rejects a msgpack value that is not a map as malformed", () => {
    expect(reasonOf(() => decodeMessage(rawEncode([1, 2, 3]), ["log.update"]))).toBe(RejectReason.Malformed);
  });

  it("rejects another protocol version", () => {
    expect(reasonOf(() => decodeMessage(rawEncode(update({ v: 2 })), ["log.update"]))).toBe(RejectReason.UnsupportedVersion);
  });

  it("rejects a type the receiver does not accept, even a known one", () => {
    expect(reasonOf(() => decodeMessage(rawEncode(update()), ["ps.pull"]))).toBe(RejectReason.UnknownType);
    expect(reasonOf(() => decodeMessage(rawEncode({ v: 1, type: "ps.teleport" }), ["ps.pull"]))).toBe(RejectReason.UnknownType);
  });

  it("rejects keys whose tables and ids differ in length", () => {
    const bad = update({ ids: tensor(Uint32Array.of(1, 2, 3)) });
    expect(reasonOf(() => decodeMessage(rawEncode(bad), ["log.update"]))).toBe(RejectReason.WrongShape);
  });

  it("rejects a tensor whose bytes do not match its shape", () => {
    const bad = update({ grads: { dtype: "f32", shape: [3], data: new Uint8Array(8) } });
    expect(reasonOf(() => decodeMessage(rawEncode(bad), ["log.update"]))).toBe(RejectReason.WrongShape);
  });

  it("rejects a tensor of the wrong dtype", () => {
    const bad = update({ tables: tensor(Float32Array.of(0, 1)) });
    expect(reasonOf(() => decodeMessage(rawEncode(bad), ["log.update"]))).toBe(RejectReason.WrongShape);
  });

  it.each([NaN, Infinity, -Infinity])("rejects a gradient of %s as non-finite", (x) => {
    const bad = update({ grads: tensor(Float32Array.of(0.5, x)) });
    expect(reasonOf(() => decodeMessage(rawEncode(bad), ["log.update"]))).toBe(RejectReason.NonFinite);
  });

  it("rejects a message larger than the receiver's limit", () => {
    const big = rawEncode(update({ producer: "w".repeat(60) }));
    expect(reasonOf(() => decodeMessage(big, ["log.update"], 32))).toBe(RejectReason.Oversized);
  });

  it("rejects a missing or mistyped field naming the field", () => {
    try {
      decodeMessage(rawEncode(update({ seq: "three" })), ["log.update"]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).reason).toBe(RejectReason.InvalidField);
      expect((err as Error).message).toContain("seq");
    }
  });

  it("encodes what it decodes: a task lease survives the round trip", () => {
    const leased = { v: 1 as const, type: "task.leased" as const, finished: false, retryMs: 200,
      task: { id: 4, leaseId: "0.4.9", epoch: 0, path: "/d.tsv", byteStart: 10, byteEnd: 99, rowStart: 3, rows: 2 } };
    expect(decodeMessage(encodeMessage(leased), ["task.leased"])).toEqual(leased);
  });

  it("never throws anything but a ProtocolError on arbitrary bytes, for any accepted type", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...MESSAGE_TYPES), (bytes, type: MessageType) => {
      try {
        decodeMessage(bytes, [type]);
      } catch (err) {
        return err instanceof ProtocolError;
      }
      return true;
    }), { numRuns: 2000 });
  });

  it("never throws anything but a ProtocolError on arbitrary msgpack maps with a valid envelope", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 16 }),
      fc.array(fc.integer(), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 4 }));
    fc.assert(fc.property(fc.constantFrom(...MESSAGE_TYPES), fc.dictionary(fc.constantFrom(
      "producer", "seq", "partition", "epoch", "after", "jobId", "tables", "ids", "grads", "rows", "actor", "task", "workerId", "leaseId", "counters", "state",
      "partitions", "owners", "finished", "retryMs", "parts", "dir", "code", "message", "retryable", "ok",
    ), value), (type: MessageType, fields) => {
      try {
        decodeMessage(rawEncode({ ...fields, v: 1, type }), [type]);
      } catch (err) {
        return err instanceof ProtocolError;
      }
      return true;
    }), { numRuns: 3000 });
  });
});
