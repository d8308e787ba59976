/**
 * Inputs and comparisons for kernel tests: seeded random fp32 and index arrays, a
 * bitwise comparison, and which backends this process can test.
 */
import { backendInfo, loadKernels, referenceKernels, type Kernels } from "../../../../gpu/index.js";
import { seededRandom } from "../../../../train/index.js";

/** Whether the native addon loads here; native tests skip (and say so) when it does not. */
export const nativeBuilt = backendInfo().cpu.available;

/** Why native tests are skipped, for test names. */
export const NATIVE_SKIP_NOTE = nativeBuilt ? "" : " (skipped: the native addon is not built here; run npm run setup)";

/** The native kernels; only call where nativeBuilt. */
export function native(): Kernels {
  return loadKernels({ backend: "cpu" });
}

/** Fresh reference kernels. */
export function reference(): Kernels {
  return referenceKernels();
}

/** Uniform draws in [0, 1), fixed by the seed (mulberry32). */
export const seeded = seededRandom;

/** n floats uniform in [−scale, scale). */
export function randomF32(random: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

/** n indices in [0, rows), drawn so that many repeat. */
export function randomIndex(random: () => number, n: number, rows: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * random() * rows);
  return out;
}

/** Whether two arrays hold the same bytes. */
export function sameBits(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The largest |a − b| / (atol + rtol·|b|) over the arrays (≤ 1 means within tolerance). */
export function worstError(a: Float32Array, b: Float32Array, atol: number, rtol: number): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (Number.isNaN(x)) continue;
    worst = Math.max(worst, Math.abs(x - y) / (atol + rtol * Math.abs(y)));
  }
  return worst;
}
