import { describe, expect, it } from "vitest";
import { createActor, fromPromise, waitFor } from "xstate";
import { workerMachine } from "../../../../actors/index.js";
import type { TaskLeased, TaskSpec } from "../../../../protocols/index.js";

const task = (id: number): TaskSpec => ({ id, leaseId: `0.${id}.0`, epoch: 0, path: "/d", byteStart: 0, byteEnd: 1, rowStart: 0, rows: 5 });

function run(leases: TaskLeased[], opts: { failTrain?: boolean } = {}) {
  const trained: number[] = [];
  const reported: number[] = [];
  const actor = createActor(workerMachine.provide({
    actors: {
      join: fromPromise(async () => {}),
      lease: fromPromise(async () => leases.shift() ?? { v: 1, type: "task.leased", finished: true, retryMs: 0 }),
      train: fromPromise(async ({ input }) => {
        if (opts.failTrain) throw new Error("shard unreachable");
        trained.push(input.id);
        return { rows: input.rows, lossSum: 1 };
      }),
      report: fromPromise(async ({ input }) => { reported.push(input.task.id); }),
    },
    delays: { retry: 1, backoff: 1 },
  }));
  actor.subscribe({ error: () => undefined });
  actor.start();
  return { actor, trained, reported };
}

describe("worker machine", () => {
  it("trains and reports every leased task, then idles when the coordinator says finished", async () => {
    const { actor, trained, reported } = run([
      { v: 1, type: "task.leased", task: task(1), finished: false, retryMs: 0 },
      { v: 1, type: "task.leased", task: task(2), finished: false, retryMs: 0 },
    ]);
    await waitFor(actor, (s) => s.matches("idle"), { timeout: 2000 });
    expect(trained).toEqual([1, 2]);
    expect(reported).toEqual([1, 2]);
  });

  it("waits and asks again when no task is free yet", async () => {
    const { actor, trained } = run([
      { v: 1, type: "task.leased", finished: false, retryMs: 1 },
      { v: 1, type: "task.leased", task: task(7), finished: false, retryMs: 0 },
    ]);
    await waitFor(actor, (s) => s.matches("idle"), { timeout: 2000 });
    expect(trained).toEqual([7]);
  });

  it("does not report a task whose training failed, and leases again", async () => {
    const { actor, reported } = run([{ v: 1, type: "task.leased", task: task(3), finished: false, retryMs: 0 }], { failTrain: true });
    await waitFor(actor, (s) => s.matches("idle"), { timeout: 2000 });
    expect(reported).toEqual([]);
    expect(actor.getSnapshot().context.failures).toBe(1);
  });

  it("stops from any state and is then final", async () => {
    const { actor } = run([{ v: 1, type: "task.leased", finished: false, retryMs: 1000 }]);
    await waitFor(actor, (s) => s.matches("waiting"), { timeout: 2000 });
    actor.send({ type: "STOP" });
    expect(actor.getSnapshot().status).toBe("done");
  });
});
