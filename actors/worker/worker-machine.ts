/**
 * A worker's lifecycle as a diagram: join, then loop — lease a task, train it, report
 * it — until the coordinator says every task is finished, then idle until stopped.
 * No task free yet, a failed lease or a failed task: wait and lease again (the
 * coordinator re-queues what a failed task leaves behind). The side effects are
 * provided by the worker process; training gets an AbortSignal so STOP interrupts it
 * between batches.
 */
import { assign, fromPromise, setup } from "xstate";
import type { TaskLeased, TaskSpec } from "../../protocols/index.js";

/** What training one task produced. */
export interface TrainedTask { readonly rows: number; readonly lossSum: number }

export type WorkerEvent = { type: "STOP" };

interface WorkerContext {
  readonly task?: TaskSpec;
  readonly trained?: TrainedTask;
  readonly retryMs: number;
  readonly failures: number;
}

export const workerMachine = setup({
  types: { context: {} as WorkerContext, events: {} as WorkerEvent },
  actors: {
    join: fromPromise<void>(async () => undefined),
    lease: fromPromise<TaskLeased>(async () => ({ v: 1, type: "task.leased", finished: true, retryMs: 0 })),
    train: fromPromise<TrainedTask, TaskSpec>(async () => ({ rows: 0, lossSum: 0 })),
    report: fromPromise<void, { task: TaskSpec; trained: TrainedTask }>(async () => undefined),
  },
  delays: {
    retry: ({ context }) => context.retryMs,
    backoff: ({ context }) => Math.min(5000, 100 * 2 ** context.failures),
  },
}).createMachine({
  id: "worker",
  initial: "joining",
  context: { retryMs: 200, failures: 0 },
  on: { STOP: ".stopped" },
  states: {
    joining: {
      invoke: {
        src: "join",
        onDone: { target: "leasing", actions: assign({ failures: 0 }) },
        onError: { target: "rejoining", actions: assign({ failures: ({ context }) => context.failures + 1 }) },
      },
    },
    rejoining: { after: { backoff: "joining" } },
    leasing: {
      invoke: {
        src: "lease",
        onDone: [
          { guard: ({ event }) => event.output.task !== undefined, target: "training", actions: assign({ task: ({ event }) => event.output.task, failures: 0 }) },
          { guard: ({ event }) => event.output.finished, target: "idle" },
          { target: "waiting", actions: assign({ retryMs: ({ event }) => event.output.retryMs }) },
        ],
        onError: { target: "backingOff", actions: assign({ failures: ({ context }) => context.failures + 1 }) },
      },
    },
    waiting: { after: { retry: "leasing" } },
    backingOff: { after: { backoff: "leasing" } },
    training: {
      invoke: {
        src: "train",
        input: ({ context }) => context.task!,
        onDone: { target: "reporting", actions: assign({ trained: ({ event }) => event.output }) },
        onError: { target: "backingOff", actions: assign({ task: undefined, failures: ({ context }) => context.failures + 1 }) },
      },
    },
    reporting: {
      invoke: {
        src: "report",
        input: ({ context }) => ({ task: context.task!, trained: context.trained! }),
        onDone: { target: "leasing", actions: assign({ task: undefined, trained: undefined }) },
        onError: { target: "backingOff", actions: assign({ task: undefined, trained: undefined, failures: ({ context }) => context.failures + 1 }) },
      },
    },
    idle: {},
    stopped: { type: "final" },
  },
});
