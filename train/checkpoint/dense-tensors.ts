/**
 * The dense parameters of a checkpoint as named tensors (MLP weights [out, in], biases,
 * dense linear weights), cut out of the DENSE_TABLE blocks it stores. A block the
 * checkpoint lacks was never touched, so it holds the model's initial values: the same
 * rule a shard follows when it creates a row on first touch.
 */
import { denseSegmentsOf, type ModelOptions } from "../models/index.js";
import { createModel } from "../models/index.js";
import { DENSE_TABLE } from "../types.js";
import type { CheckpointManifest } from "./manifest.js";
import type { SortedTable } from "./sorted-table.js";

/** One named dense tensor, fp32, row-major. */
export interface DenseTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** The options the checkpoint's model was built with (block size taken from its dense table). */
export function modelOptionsOf(manifest: CheckpointManifest): ModelOptions {
  const dense = manifest.tables.find((t) => t.table === DENSE_TABLE);
  return { ...manifest.model, ...(dense === undefined ? {} : { denseBlock: dense.dim }) };
}

/** The model's dense tensors, in layout order, from the checkpoint's sorted dense table (absent blocks: initial values). */
export function denseTensorsOf(opts: ModelOptions, dense: SortedTable | undefined): DenseTensor[] {
  const model = createModel({ ...opts, kernels: "ts" });
  const segments = denseSegmentsOf({ ...opts, kernels: "ts" });
  const blockSize = model.dim(DENSE_TABLE);
  const size = segments.reduce((n, s) => Math.max(n, s.offset + s.size), 0);
  const blocks = Math.max(1, Math.ceil(size / blockSize));
  const flat = new Float32Array(blocks * blockSize);
  let next = 0;
  for (let b = 0; b < blocks; b++) {
    while (dense !== undefined && next < dense.ids.length && dense.ids[next]! < b) next++;
    if (dense !== undefined && dense.ids[next] === b) {
      flat.set(dense.params.subarray(next * blockSize, (next + 1) * blockSize), b * blockSize);
    } else {
      model.initRow(DENSE_TABLE, b, flat, b * blockSize);
    }
  }
  return segments.map((s) => ({ name: s.name, shape: [...s.shape], data: flat.slice(s.offset, s.offset + s.size) }));
}
