/**
 * Measures the dlrm-small training step (forward + backward, Model.step) of the benchmark
 * shape (26 fields, 13 dense, k = 16, batch 2048 by default) on the TypeScript and the
 * native kernels, in one process, on a synthetic batch with Zipf-skewed ids (no data
 * file, no NATS, no optimizer: the compute the kernels took over). Prints one JSON line.
 * A standalone script (nothing imports it):
 *   node dist/gpu/bench/dlrm-step.js [--kernels ts,native] [--batch 2048] [--seconds 3] [--threads 1] [--isa best|baseline]
 */
import { parseArgs } from "node:util";
import { createModel, seededRandom, type ExampleBatch, type ModelKernels } from "../../train/index.js";
import { backendInfo, loadKernels } from "../index.js";

const FIELDS = 26;
const DENSE = 13;

/** A batch shaped like the benchmark's: Zipf(1.1)-ish ids per field, log1p dense values, ~25% clicks. */
function syntheticBatch(rows: number, seed: number): ExampleBatch {
  const random = seededRandom(seed);
  const ids = new Uint32Array(rows * FIELDS);
  // Inverse-CDF draw of a power law over 2^20 ids: a few ids take most rows.
  for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(2 ** 20 * random() ** 10) % 2 ** 20;
  const dense = new Float32Array(rows * DENSE);
  for (let i = 0; i < dense.length; i++) dense[i] = Math.log1p(Math.floor(-Math.log(1 - random()) * 20));
  const labels = new Float32Array(rows);
  for (let b = 0; b < rows; b++) labels[b] = random() < 0.25 ? 1 : 0;
  return { rows, fields: FIELDS, denseDim: DENSE, ids, dense, labels };
}

interface Measurement {
  readonly kernels: ModelKernels;
  readonly steps: number;
  readonly stepMs: number;
  readonly samplesPerSec: number;
  readonly planMs: number;
  readonly distinctKeys: number;
  readonly loss: number;
}

function measure(kernels: ModelKernels, batchRows: number, seconds: number): Measurement {
  const model = createModel({ kind: "dlrm-small", seed: 1, fields: FIELDS, denseDim: DENSE, kernels });
  const batch = syntheticBatch(batchRows, 7);
  let t = performance.now();
  const plan = model.plan(batch);
  const planMs = performance.now() - t;
  const rows = new Float32Array(plan.totalFloats);
  for (let k = 0; k < plan.keys.ids.length; k++) model.initRow(plan.keys.tables[k]!, plan.keys.ids[k]!, rows, plan.rowOffset[k]!);
  let loss = 0;
  for (let i = 0; i < 3; i++) loss = model.step(batch, plan, rows).loss;
  let steps = 0;
  t = performance.now();
  const until = t + seconds * 1000;
  let now = t;
  while (now < until || steps < 3) {
    loss = model.step(batch, plan, rows).loss;
    steps++;
    now = performance.now();
  }
  const stepMs = (now - t) / steps;
  return {
    kernels, steps, stepMs: round(stepMs), samplesPerSec: Math.round((batchRows * 1000) / stepMs), planMs: round(planMs),
    distinctKeys: plan.keys.ids.length, loss,
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;

function main(): void {
  const { values } = parseArgs({
    options: {
      kernels: { type: "string", default: "ts,native" },
      batch: { type: "string", default: "2048" },
      seconds: { type: "string", default: "3" },
      threads: { type: "string", default: "1" },
      isa: { type: "string", default: "best" },
    },
  });
  const threads = Number(values.threads);
  const isa = values.isa === "baseline" ? "baseline" : "best";
  if (backendInfo().cpu.available) loadKernels({ threads, isa });
  const info = backendInfo();
  const results = values.kernels.split(",").map((k) => measure(k as ModelKernels, Number(values.batch), Number(values.seconds)));
  const cpu = info.cpu.available ? { isa: info.cpu.isa, hardwareThreads: info.cpu.hardwareThreads } : { unavailable: info.cpu.reason };
  process.stdout.write(`${JSON.stringify({ bench: "dlrm-small step", batch: Number(values.batch), threads, cpu, node: process.version, results })}\n`);
}

main();
