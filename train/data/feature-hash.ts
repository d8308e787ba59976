/**
 * Hashes that turn raw values into 32-bit feature ids: FNV-1a over the UTF-8 bytes of a
 * categorical value, and an integer hash for bucket indices. Both end in murmur3's
 * finalizer so that every bit of the id is well mixed (tables may be cut by low bits).
 * The functions are stable across releases: changing them changes every trained model.
 */

/** murmur3's 32-bit finalizer: a bijection on u32 with full avalanche. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Id of the bytes buf[start..end): fmix32(FNV-1a 32). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Id of a string, equal to hashBytes over its UTF-8 encoding. */
export function hashString(value: string): number {
  const bytes = Buffer.from(value, "utf8");
  return hashBytes(bytes, 0, bytes.length);
}

/** Id of a small signed integer (a bucket index); distinct from hashString ids only by chance. */
export function hashInt(value: number): number {
  return fmix32((value ^ 0x5bd1e995) + 0x27d4eb2d);
}
