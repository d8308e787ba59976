/**
 * The one way to build a model from its options, and a description of a model's dense
 * parameter layout for tools that need to read the flat dense vector (checkpoints, tests).
 */
import { ModelKind, type Model } from "../types.js";
import type { DenseSegment } from "./dense-layout.js";
import { DlrmSmallModel } from "./dlrm-small.js";
import { FmModel } from "./fm.js";
import { LrModel } from "./lr.js";
import { checkModelOptions, type ModelOptions } from "./model-options.js";
import type { SparseDenseModel } from "./sparse-dense-model.js";

function build(opts: ModelOptions): SparseDenseModel {
  checkModelOptions(opts);
  switch (opts.kind) {
    case ModelKind.Lr:
      return new LrModel(opts);
    case ModelKind.Fm:
      return new FmModel(opts);
    case ModelKind.DlrmSmall:
      return new DlrmSmallModel(opts);
    default: {
      const kind: never = opts.kind;
      throw new RangeError(`unknown model kind ${String(kind)}`);
    }
  }
}

/** Builds a model; throws RangeError for options it cannot honour. */
export function createModel(opts: ModelOptions): Model {
  return build(opts);
}

/** The named tensors of a model's flat dense vector (offsets, [out, in] weight shapes, init bounds). */
export function denseSegmentsOf(opts: ModelOptions): readonly DenseSegment[] {
  return build(opts).dense.segments;
}
