/**
 * The coordinator's lifecycle as a diagram: prepare (state buckets, task cutting), wait
 * for every configured shard to join, publish the partition map, hand out tasks while
 * training, then write the final checkpoint, score it, and report the job done. The
 * side effects are provided by the coordinator process, so the diagram can be walked
 * in tests with stubs.
 */
import { assign, fromPromise, setup } from "xstate";
import type { EvalResult } from "../../protocols/index.js";

export type CoordinatorEvent =
  | { type: "SHARD_JOINED"; shardId: string }
  /** A restarted coordinator learns the shard count an operator set since the config was written. */
  | { type: "SHARDS_WANTED"; shards: number }
  | { type: "TASKS_FINISHED" }
  | { type: "STOP" };

export interface CoordinatorContext {
  readonly shardsWanted: number;
  readonly shards: readonly string[];
  readonly checkpoint?: string;
  readonly eval?: EvalResult;
  readonly error?: string;
}

export const coordinatorMachine = setup({
  types: {
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
    input: {} as { shardsWanted: number },
  },
  actors: {
    prepare: fromPromise<void>(async () => undefined),
    publishMap: fromPromise<void, { shards: readonly string[] }>(async () => undefined),
    writeCheckpoint: fromPromise<string, { shards: readonly string[] }>(async () => ""),
    evaluate: fromPromise<EvalResult | undefined, { checkpoint: string }>(async () => undefined),
  },
  actions: {
    reportDone: () => undefined,
  },
  guards: {
    allShardsJoined: ({ context }) => context.shards.length >= context.shardsWanted,
  },
}).createMachine({
  id: "coordinator",
  initial: "preparing",
  context: ({ input }) => ({ shardsWanted: input.shardsWanted, shards: [] }),
  on: {
    STOP: ".stopped",
    SHARDS_WANTED: { actions: assign({ shardsWanted: ({ event }) => event.shards }) },
    SHARD_JOINED: {
      actions: assign({
        shards: ({ context, event }) => (context.shards.includes(event.shardId) ? context.shards : [...context.shards, event.shardId].sort()),
      }),
    },
  },
  states: {
    preparing: {
      invoke: {
        src: "prepare",
        onDone: "awaitingShards",
        onError: { target: "failed", actions: assign({ error: ({ event }) => `prepare failed: ${String((event.error as Error)?.message ?? event.error)}` }) },
      },
    },
    awaitingShards: {
      always: { guard: "allShardsJoined", target: "publishingMap" },
    },
    publishingMap: {
      invoke: {
        src: "publishMap",
        input: ({ context }) => ({ shards: context.shards }),
        onDone: "training",
        onError: { target: "failed", actions: assign({ error: ({ event }) => `map publish failed: ${String((event.error as Error)?.message ?? event.error)}` }) },
      },
    },
    training: {
      on: { TASKS_FINISHED: "checkpointing" },
    },
    checkpointing: {
      invoke: {
        src: "writeCheckpoint",
        input: ({ context }) => ({ shards: context.shards }),
        onDone: { target: "evaluating", actions: assign({ checkpoint: ({ event }) => event.output }) },
        onError: { target: "failed", actions: assign({ error: ({ event }) => `checkpoint failed: ${String((event.error as Error)?.message ?? event.error)}` }) },
      },
    },
    evaluating: {
      invoke: {
        src: "evaluate",
        input: ({ context }) => ({ checkpoint: context.checkpoint ?? "" }),
        onDone: { target: "done", actions: assign({ eval: ({ event }) => event.output }) },
        onError: { target: "failed", actions: assign({ error: ({ event }) => `evaluation failed: ${String((event.error as Error)?.message ?? event.error)}` }) },
      },
    },
    done: { entry: "reportDone" },
    failed: { entry: "reportDone" },
    stopped: { type: "final" },
  },
});
