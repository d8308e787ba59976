/**
 * A shard's lifecycle as a diagram: join the coordinator, wait for a partition map
 * that gives it partitions, replay the update log until caught up with it, then serve
 * pulls (applying new log entries as they come), stop. Every new map (a higher epoch)
 * is taken in any state. The side effects (joining, catching up) are provided by the
 * shard process, so the diagram can be walked in tests with stubs.
 */
import { assign, fromPromise, setup } from "xstate";
import type { PartitionMap } from "../../protocols/index.js";

export type ShardEvent = { type: "MAP"; map: PartitionMap } | { type: "STOP" };

export const shardMachine = setup({
  types: {
    context: {} as { map?: PartitionMap; joinFailures: number; replayFailures: number },
    events: {} as ShardEvent,
  },
  actors: {
    join: fromPromise<void>(async () => undefined),
    catchUp: fromPromise<void>(async () => undefined),
  },
  guards: {
    hasMap: ({ context }) => context.map !== undefined,
    newerMap: ({ context, event }) => event.type === "MAP" && event.map.epoch > (context.map?.epoch ?? -1),
  },
  delays: {
    rejoin: ({ context }) => Math.min(5000, 100 * 2 ** context.joinFailures),
    replayAgain: ({ context }) => Math.min(5000, 100 * 2 ** context.replayFailures),
  },
}).createMachine({
  id: "shard",
  initial: "joining",
  context: { joinFailures: 0, replayFailures: 0 },
  on: {
    STOP: ".stopped",
    // A map may arrive before the join is acknowledged: keep it in any state.
    MAP: { guard: "newerMap", actions: assign({ map: ({ event }) => (event.type === "MAP" ? event.map : undefined) }) },
  },
  states: {
    joining: {
      invoke: {
        src: "join",
        onDone: "awaitingMap",
        onError: { target: "rejoining", actions: assign({ joinFailures: ({ context }) => context.joinFailures + 1 }) },
      },
    },
    rejoining: { after: { rejoin: "joining" } },
    awaitingMap: {
      always: { guard: "hasMap", target: "replaying" },
    },
    // Pulls are refused here: rows are not current until the log is read to its end.
    replaying: {
      invoke: {
        src: "catchUp",
        onDone: "serving",
        onError: { target: "replayPaused", actions: assign({ replayFailures: ({ context }) => context.replayFailures + 1 }) },
      },
    },
    replayPaused: { after: { replayAgain: "replaying" } },
    serving: {},
    stopped: { type: "final" },
  },
});
