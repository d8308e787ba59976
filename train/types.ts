/**
 * The contracts between train/ and the actors: what a batch of examples looks like,
 * what a model needs from the parameter servers and gives back, and what a row-sparse
 * optimizer does to one row. train/ knows nothing of NATS; actors move these buffers.
 */

/** A batch of examples, columnar. Every example has exactly one id per field. */
export interface ExampleBatch {
  /** Number of examples B. */
  readonly rows: number;
  /** Number of categorical fields F (field f is embedding table f). */
  readonly fields: number;
  /** B*F hashed ids, row-major: ids[b * F + f]. */
  readonly ids: Uint32Array;
  /** Number of dense features D. */
  readonly denseDim: number;
  /** B*D dense features, row-major. */
  readonly dense: Float32Array;
  /** B labels, 0 or 1. */
  readonly labels: Float32Array;
}

/** A set of distinct parameter keys (table, id), as parallel arrays. */
export interface KeySet {
  readonly tables: Uint32Array;
  readonly ids: Uint32Array;
}

/** Table id that holds the dense parameters, cut into fixed-size blocks (id = block index). */
export const DENSE_TABLE = 0xffff;

/** One parameter table: rows of `dim` floats, created lazily on first touch. */
export interface TableSpec {
  readonly table: number;
  readonly dim: number;
}

/**
 * Where each distinct key of a batch lives in the flat row buffer a worker pulls.
 * rows for keys[i] occupy [rowOffset[i], rowOffset[i] + dim(keys.tables[i])).
 */
export interface BatchPlan {
  readonly keys: KeySet;
  readonly rowOffset: Int32Array;
  /** B*F: index into keys of the row that example b, field f uses. */
  readonly slot: Int32Array;
  /** Index into keys of each dense block, in block order. */
  readonly denseSlots: Int32Array;
  /** Total floats of all rows of the plan. */
  readonly totalFloats: number;
}

/** Result of one forward/backward pass. `grads` has the layout of the pulled rows. */
export interface StepResult {
  /** Mean binary cross-entropy over the batch. */
  readonly loss: number;
  readonly grads: Float32Array;
}

/** A trainable model: deterministic init, batch planning, forward and backward. */
export interface Model {
  readonly kind: ModelKind;
  /** Every table this model uses, dense-parameter table included. */
  readonly tables: readonly TableSpec[];
  /** Dimension of a table's rows; throws for a table the model does not have. */
  dim(table: number): number;
  /** Writes the deterministic initial value of row (table, id) into out[off..off+dim). */
  initRow(table: number, id: number, out: Float32Array, off: number): void;
  /** Distinct keys a batch touches (dense blocks included) and where each row goes. */
  plan(batch: ExampleBatch): BatchPlan;
  /** Forward + backward: mean loss and d(loss)/d(row) for every row of the plan. */
  step(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): StepResult;
  /** Click probabilities for each example. */
  predict(batch: ExampleBatch, plan: BatchPlan, rows: Float32Array): Float32Array;
}

export const ModelKind = { Lr: "lr", Fm: "fm", DlrmSmall: "dlrm-small" } as const;
export type ModelKind = (typeof ModelKind)[keyof typeof ModelKind];

export const OptimizerKind = { Sgd: "sgd", Adagrad: "adagrad", Adam: "adam" } as const;
export type OptimizerKind = (typeof OptimizerKind)[keyof typeof OptimizerKind];

/** A row-sparse optimizer: updates one row in place from its gradient and its state. */
export interface RowOptimizer {
  readonly kind: OptimizerKind;
  /** Floats of optimizer state kept per row of the given dim. */
  stateWidth(dim: number): number;
  /** Writes the initial state of a new row. */
  initState(state: Float32Array, off: number, dim: number): void;
  /** Applies one gradient to one row and its state, in place. */
  apply(
    params: Float32Array, pOff: number,
    state: Float32Array, sOff: number,
    grad: Float32Array, gOff: number,
    dim: number,
  ): void;
}
