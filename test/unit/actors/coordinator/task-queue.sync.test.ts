import { describe, expect, it } from "vitest";
import { TaskQueue } from "../../../../actors/index.js";
import type { TaskSpec } from "../../../../protocols/index.js";

const tasks = (rows: number[]) =>
  rows.map((r, i) => ({ id: i, path: "/data.tsv", byteStart: i * 100, byteEnd: (i + 1) * 100, rowStart: i * 10, rows: r }));

function sync(rows: number[], epochs = 1, restore?: ReturnType<TaskQueue["progress"]>) {
  const clock = { t: 0, now() { return this.t; } };
  return { clock, queue: new TaskQueue(tasks(rows), { epochs, leaseMs: 1000, clock, microBatches: 2, ...(restore ? { restore } : {}) }) };
}

/** Leases everything leasable now. */
function drain(queue: TaskQueue, worker = "w"): TaskSpec[] {
  const out: TaskSpec[] = [];
  for (let t = queue.lease(worker); t; t = queue.lease(worker)) out.push(t);
  return out;
}

describe("TaskQueue in sync mode", () => {
  it("leases only the current step's micro-batches, seals the step when all are done, and opens the next at its commit", () => {
    const { queue } = sync([10, 30, 20, 20, 5]);
    const step0 = drain(queue);
    expect(step0.map((t) => [t.id, t.sync])).toEqual([
      [0, { step: 0, micro: 0, weight: 0.25, after: 0 }],
      [1, { step: 0, micro: 1, weight: 0.75, after: 0 }],
    ]);
    queue.complete(step0[0]!.leaseId, 10);
    expect(queue.sealedStep).toBeUndefined();
    queue.complete(step0[1]!.leaseId, 30);
    expect(queue.sealedStep).toBe(0);
    expect(drain(queue)).toEqual([]);

    queue.commit(41);
    const step1 = drain(queue);
    expect(step1.map((t) => t.id)).toEqual([2, 3]);
    expect(step1.every((t) => t.sync?.step === 1 && t.sync.after === 41 && t.sync.weight === 0.5)).toBe(true);
  });

  it("re-leases an expired micro-batch with the same step, micro and after", () => {
    const { queue, clock } = sync([10, 10]);
    const [a] = drain(queue);
    clock.t = 1001;
    const again = drain(queue).find((t) => t.id === a!.id)!;
    expect(again.sync).toEqual(a!.sync);
    expect(again.leaseId).not.toBe(a!.leaseId);
  });

  it("finishes only at the commit of the last step of the last epoch, numbering steps across epochs", () => {
    const { queue } = sync([10, 10, 10], 2);
    const seen: number[] = [];
    let seq = 0;
    while (!queue.finished) {
      for (const t of drain(queue)) {
        seen.push(t.sync!.step);
        queue.complete(t.leaseId, t.rows);
      }
      expect(queue.sealedStep).toBeDefined();
      queue.commit(++seq);
    }
    expect(seen).toEqual([0, 0, 1, 2, 2, 3]);
    expect(queue.stats()).toMatchObject({ rowsDone: 60, rowsRepeated: 0 });
  });

  it("resumes from its progress: a step sealed but not committed is still sealed, a committed one opens the next", () => {
    const { queue } = sync([10, 10, 10, 10]);
    for (const t of drain(queue)) queue.complete(t.leaseId, t.rows);
    const sealed = sync([10, 10, 10, 10], 1, queue.progress()).queue;
    expect(sealed.sealedStep).toBe(0);
    expect(drain(sealed)).toEqual([]);
    queue.commit(7);
    const opened = sync([10, 10, 10, 10], 1, queue.progress()).queue;
    expect(opened.sealedStep).toBeUndefined();
    expect(drain(opened).map((t) => [t.id, t.sync?.after])).toEqual([[2, 7], [3, 7]]);
  });

  it("refuses a commit when no step is sealed", () => {
    const { queue } = sync([10, 10]);
    expect(() => queue.commit(3)).toThrow(RangeError);
  });
});
