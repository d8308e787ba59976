import { describe, expect, it } from "vitest";
import { SafetensorsError, layoutSafetensors, readSafetensors } from "../../../../train/checkpoint/index.js";

/** A whole file from a layout and each tensor's bytes. */
function fileOf(specs: Parameters<typeof layoutSafetensors>[0], data: Uint8Array[], metadata: Record<string, string> = {}): Uint8Array {
  const layout = layoutSafetensors(specs, metadata);
  const out = new Uint8Array(layout.byteLength);
  out.set(layout.header, 0);
  layout.tensors.forEach((t, i) => out.set(data[i]!, t.position));
  return out;
}

describe("safetensors (train/checkpoint)", () => {
  it("reads back what it lays out: metadata, dtypes, shapes and values, with an 8-byte aligned data buffer", () => {
    const ids = new BigInt64Array([1n, 5n, 2n ** 40n]);
    const w = new Float32Array([0.5, -1, 2, 3, 4, 5]);
    const bytes = fileOf(
      [{ name: "e.ids", dtype: "I64", shape: [3] }, { name: "e.weight", dtype: "F32", shape: [3, 2] }],
      [new Uint8Array(ids.buffer), new Uint8Array(w.buffer)], { model: "lr" });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ model: "lr" });
    expect(file.tensors.get("e.ids")).toEqual({ dtype: "I64", shape: [3], data: ids });
    expect(file.tensors.get("e.weight")).toEqual({ dtype: "F32", shape: [3, 2], data: w });
  });

  it("keeps zero-element tensors", () => {
    const file = readSafetensors(fileOf([{ name: "empty", dtype: "F32", shape: [0] }], [new Uint8Array(0)]));
    expect(file.tensors.get("empty")!.data).toEqual(new Float32Array(0));
  });

  it("rejects a truncated file and a file whose tensors leave bytes uncovered", () => {
    const good = fileOf([{ name: "x", dtype: "F32", shape: [4] }], [new Uint8Array(16)]);
    expect(() => readSafetensors(good.subarray(0, good.length - 4))).toThrow(SafetensorsError);
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expect(() => readSafetensors(longer)).toThrow(/cover/);
    expect(() => readSafetensors(new Uint8Array(4))).toThrow(SafetensorsError);
  });

  it("refuses a reserved or repeated tensor name", () => {
    expect(() => layoutSafetensors([{ name: "__metadata__", dtype: "F32", shape: [1] }], {})).toThrow(SafetensorsError);
    expect(() => layoutSafetensors([{ name: "a", dtype: "F32", shape: [1] }, { name: "a", dtype: "F32", shape: [1] }], {})).toThrow(SafetensorsError);
  });
});
