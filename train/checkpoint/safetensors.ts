/**
 * The safetensors file format (huggingface/safetensors), the subset Colony writes and
 * reads: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
 * name to {dtype, shape, data_offsets: [begin, end)} (offsets into the byte buffer that
 * follows) plus an optional "__metadata__" map of strings, then the raw little-endian
 * tensor bytes, contiguous, with no gaps. The header is padded with spaces to a multiple
 * of 8 so the buffer starts 8-byte aligned. Dtypes: F32, I64, U32.
 */

/** The dtypes Colony writes and reads. */
export const SafetensorsDtype = { F32: "F32", I64: "I64", U32: "U32" } as const;
export type SafetensorsDtype = (typeof SafetensorsDtype)[keyof typeof SafetensorsDtype];

const BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, I64: 8, U32: 4 };

/** A file that is not valid safetensors (or uses a dtype Colony does not read). Rewrite or re-export it. */
export class SafetensorsError extends Error {
  override readonly name = "SafetensorsError";
}

/** A tensor's name, dtype and shape: what the header says about it. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

/** Where a tensor's bytes sit in the file. */
export interface TensorPlacement extends TensorSpec {
  /** Absolute file position of its first byte. */
  readonly position: number;
  readonly byteLength: number;
}

/** A header laid out: its bytes and, per tensor in the given order, where its data goes. */
export interface SafetensorsLayout {
  readonly header: Uint8Array;
  readonly tensors: readonly TensorPlacement[];
  /** Total file size. */
  readonly byteLength: number;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Lays out a file holding `tensors` in this order, with string metadata. Throws SafetensorsError on a bad name or shape. */
export function layoutSafetensors(tensors: readonly TensorSpec[], metadata: Readonly<Record<string, string>>): SafetensorsLayout {
  const json: Record<string, unknown> = { __metadata__: metadata };
  const sizes: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__" || t.name in json) throw new SafetensorsError(`tensor name "${t.name}" is reserved or used twice`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(`tensor "${t.name}" has a bad shape [${t.shape.join(", ")}]`);
    const size = elements(t.shape) * BYTES[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    sizes.push(size);
    offset += size;
  }
  const text = JSON.stringify(json);
  const raw = Buffer.from(text, "utf8");
  const padded = Math.ceil(raw.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(raw, 8);
  let position = header.length;
  const placed = tensors.map((t, i) => {
    const p = { ...t, position, byteLength: sizes[i]! };
    position += sizes[i]!;
    return p;
  });
  return { header, tensors: placed, byteLength: position };
}

/** A tensor read back: its dtype, shape and values (I64 as BigInt64Array). */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | BigInt64Array | Uint32Array;
}

/** A safetensors file read back. */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
}

/** Parses a whole safetensors file; throws SafetensorsError unless header and data agree exactly. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`${bytes.length} bytes: too short for a safetensors header`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new SafetensorsError(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  const start = 8 + Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(n)).toString("utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new SafetensorsError(`header is not JSON: ${(err as Error).message}`);
  }
  const metadata = (header["__metadata__"] ?? {}) as Record<string, string>;
  const tensors = new Map<string, SafetensorsTensor>();
  const spans: [number, number][] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = v.dtype as SafetensorsDtype;
    const shape = v.shape as number[];
    const offsets = v.data_offsets as [number, number];
    if (!(dtype in BYTES)) throw new SafetensorsError(`tensor "${name}": dtype ${String(v.dtype)} is not one of ${Object.keys(BYTES).join(", ")}`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) throw new SafetensorsError(`tensor "${name}": needs shape and data_offsets`);
    const [begin, end] = offsets;
    if (end - begin !== elements(shape) * BYTES[dtype] || start + end > bytes.length) {
      throw new SafetensorsError(`tensor "${name}": data_offsets [${begin}, ${end}) do not fit shape [${shape.join(", ")}] of ${dtype} in the file`);
    }
    spans.push([begin, end]);
    // Copy into an aligned buffer: the tensor's offset in the file may not be.
    const copy = bytes.slice(start + begin, start + end).buffer;
    const data = dtype === "F32" ? new Float32Array(copy) : dtype === "I64" ? new BigInt64Array(copy) : new Uint32Array(copy);
    tensors.set(name, { dtype, shape, data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end] of spans) {
    if (begin !== covered) throw new SafetensorsError(`tensor data is not contiguous at byte ${covered}`);
    covered = end;
  }
  if (start + covered !== bytes.length) throw new SafetensorsError(`tensors cover ${covered} bytes of a ${bytes.length - start}-byte buffer`);
  return { metadata, tensors };
}
