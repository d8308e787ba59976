/**
 * Tensors on the wire: raw little-endian bytes plus dtype and shape. Decoding gives a
 * typed-array view over the received buffer without a copy when the bytes are aligned
 * for the dtype (msgpack places bin payloads at arbitrary offsets, so a copy is made
 * only when they are not).
 */
import { ProtocolError, RejectReason } from "./errors.js";

export const DType = { F32: "f32", U32: "u32", I32: "i32" } as const;
export type DType = (typeof DType)[keyof typeof DType];

/** A tensor as it travels: dtype, shape and the raw little-endian bytes. */
export interface WireTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

interface ArrayOf {
  f32: Float32Array;
  u32: Uint32Array;
  i32: Int32Array;
}

const ctor = {
  f32: Float32Array,
  u32: Uint32Array,
  i32: Int32Array,
} as const;

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
if (!littleEndian) throw new Error("Colony's wire format assumes a little-endian host");

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Wraps a typed array as a wire tensor (no copy). */
export function tensor(array: Float32Array, shape?: readonly number[]): WireTensor;
export function tensor(array: Uint32Array, shape?: readonly number[]): WireTensor;
export function tensor(array: Int32Array, shape?: readonly number[]): WireTensor;
export function tensor(array: Float32Array | Uint32Array | Int32Array, shape?: readonly number[]): WireTensor {
  const dtype: DType = array instanceof Float32Array ? "f32" : array instanceof Uint32Array ? "u32" : "i32";
  return { dtype, shape: shape ?? [array.length], data: bytesOf(array) };
}

/** Number of elements a shape holds. */
export const elementsOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/**
 * Validates a decoded tensor-like value and returns a typed view of it.
 * Throws ProtocolError when the dtype, shape or byte length is wrong.
 */
export function viewTensor<D extends DType>(value: unknown, dtype: D, field: string): ArrayOf[D] {
  if (typeof value !== "object" || value === null) {
    throw new ProtocolError(RejectReason.InvalidField, `${field}: expected a tensor {dtype, shape, data}`);
  }
  const t = value as Record<string, unknown>;
  if (t["dtype"] !== dtype) {
    throw new ProtocolError(RejectReason.WrongShape, `${field}: dtype ${String(t["dtype"])}, expected ${dtype}`);
  }
  const shape = t["shape"];
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 4 ||
      !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ProtocolError(RejectReason.WrongShape, `${field}: shape must be 1 to 4 non-negative integers`);
  }
  const data = t["data"];
  if (!(data instanceof Uint8Array)) {
    throw new ProtocolError(RejectReason.InvalidField, `${field}: data must be bytes`);
  }
  const C = ctor[dtype];
  const n = elementsOf(shape as number[]);
  if (data.byteLength !== n * C.BYTES_PER_ELEMENT) {
    throw new ProtocolError(
      RejectReason.WrongShape,
      `${field}: ${data.byteLength} bytes for shape [${shape.join(",")}] of ${dtype}`,
    );
  }
  // new Uint8Array(data) copies; data.slice() would not when data is a Node Buffer.
  const aligned = data.byteOffset % C.BYTES_PER_ELEMENT === 0 ? data : new Uint8Array(data);
  return new C(aligned.buffer as ArrayBuffer, aligned.byteOffset, n) as ArrayOf[D];
}

/** Index of the first NaN or ±Inf in a float array, or -1. */
export function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    // x - x is NaN exactly for NaN and ±Inf, and is cheaper than Number.isFinite per element.
    if (x - x !== 0) return i;
  }
  return -1;
}
