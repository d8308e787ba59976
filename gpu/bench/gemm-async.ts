/**
 * Measures what running a GEMM through gemmAsync (an AsyncWorker on libuv's pool,
 * resolving a promise) costs against the synchronous call, for a small and a large
 * product, awaited one after another as a training step would. Prints one JSON line.
 * A standalone script (nothing imports it): node dist/gpu/bench/gemm-async.js
 */
import { loadKernels, type GemmSpec } from "../index.js";

function spec(m: number, n: number, k: number): GemmSpec {
  const a = new Float32Array(m * k).fill(0.5);
  const b = new Float32Array(n * k).fill(0.25);
  const c = new Float32Array(m * n);
  return { m, n, k, a: { data: a, offset: 0, stride: k }, b: { data: b, offset: 0, stride: k }, transB: true, c: { data: c, offset: 0, stride: n } };
}

async function main(): Promise<void> {
  const kernels = loadKernels({ backend: "cpu" });
  const out: Record<string, { syncUs: number; asyncUs: number }> = {};
  for (const [name, m, n, k, calls] of [["64x64x64", 64, 64, 64, 20000], ["2048x128x432", 2048, 128, 432, 200]] as const) {
    const s = spec(m, n, k);
    for (let i = 0; i < 10; i++) kernels.gemm(s);
    let t = performance.now();
    for (let i = 0; i < calls; i++) kernels.gemm(s);
    const syncUs = ((performance.now() - t) * 1000) / calls;
    for (let i = 0; i < 10; i++) await kernels.gemmAsync(s);
    t = performance.now();
    for (let i = 0; i < calls; i++) await kernels.gemmAsync(s);
    const asyncUs = ((performance.now() - t) * 1000) / calls;
    out[name] = { syncUs: Math.round(syncUs * 10) / 10, asyncUs: Math.round(asyncUs * 10) / 10 };
  }
  process.stdout.write(`${JSON.stringify({ bench: "gemm sync vs async", node: process.version, results: out })}\n`);
}

await main();
