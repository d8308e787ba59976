/**
 * Field readers used by the message validators: each returns the typed value or throws
 * a ProtocolError naming the field, so a validator reads as a list of its fields.
 */
import { ProtocolError, RejectReason } from "./errors.js";

type Obj = Record<string, unknown>;

const bad = (field: string, want: string, got: unknown): ProtocolError =>
  new ProtocolError(RejectReason.InvalidField, `${field}: expected ${want}, got ${describe(got)}`);

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return `bytes(${v.byteLength})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === "object" ? "object" : String(v);
}

/** A string field of at most maxLength characters. */
export function str(m: Obj, key: string, maxLength = 1024): string {
  const v = m[key];
  if (typeof v !== "string" || v.length > maxLength) throw bad(key, `a string of ≤ ${maxLength} chars`, v);
  return v;
}

/** An integer field within [min, max]. */
export function int(m: Obj, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = m[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad(key, `an integer in [${min}, ${max}]`, v);
  return v;
}

/** A finite number field. */
export function num(m: Obj, key: string): number {
  const v = m[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(key, "a finite number", v);
  return v;
}

/** A boolean field. */
export function bool(m: Obj, key: string): boolean {
  const v = m[key];
  if (typeof v !== "boolean") throw bad(key, "a boolean", v);
  return v;
}

/** A nested map field. */
export function obj(m: Obj, key: string): Obj {
  const v = m[key];
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) throw bad(key, "a map", v);
  return v as Obj;
}

/** An optional field: undefined when absent or nil, else read by `read`. */
export function optional<T>(m: Obj, key: string, read: (m: Obj, key: string) => T): T | undefined {
  return m[key] === undefined || m[key] === null ? undefined : read(m, key);
}

/** A field holding one of the given string values. */
export function oneOf<T extends string>(m: Obj, key: string, values: readonly T[]): T {
  const v = m[key];
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) throw bad(key, `one of ${values.join(" | ")}`, v);
  return v as T;
}

/** A map of string → finite number (counters), at most 256 entries. */
export function counters(m: Obj, key: string): Record<string, number> {
  const o = obj(m, key);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${key}.${k}`, "a finite number", v);
    out[k] = v;
  }
  return out;
}

/** An array of at most maxItems strings of at most maxLength characters each. */
export function strings(m: Obj, key: string, maxItems = 4096, maxLength = 256): string[] {
  const v = m[key];
  if (!Array.isArray(v) || v.length > maxItems || !v.every((s) => typeof s === "string" && s.length <= maxLength)) {
    throw bad(key, `an array of ≤ ${maxItems} strings of ≤ ${maxLength} chars`, v);
  }
  return v as string[];
}

/** An array field of at most maxItems maps, each read by `read` (errors name the entry, e.g. `moves[2].to`). */
export function records<T>(m: Obj, key: string, maxItems: number, read: (o: Obj) => T): T[] {
  const v = m[key];
  if (!Array.isArray(v) || v.length > maxItems) throw bad(key, `an array of ≤ ${maxItems} maps`, v);
  return v.map((x, i) => read(obj({ [`${key}[${i}]`]: x }, `${key}[${i}]`)));
}
