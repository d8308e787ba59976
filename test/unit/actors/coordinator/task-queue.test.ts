import { describe, expect, it } from "vitest";
import { TaskQueue } from "../../../../actors/index.js";

const tasks = (n: number, rows = 10) =>
  Array.from({ length: n }, (_, i) => ({ id: i, path: "/data.tsv", byteStart: i * 100, byteEnd: (i + 1) * 100, rowStart: i * rows, rows }));

function setup(n = 3, epochs = 1, leaseMs = 1000) {
  const clock = { t: 0, now() { return this.t; } };
  return { clock, queue: new TaskQueue(tasks(n), { epochs, leaseMs, clock }) };
}

describe("TaskQueue", () => {
  it("leases each task once, then has nothing free while leases are live", () => {
    const { queue } = setup(2);
    const a = queue.lease("w0");
    const b = queue.lease("w1");
    expect(new Set([a?.id, b?.id])).toEqual(new Set([0, 1]));
    expect(queue.lease("w2")).toBeUndefined();
  });

  it("re-queues the task of an expired lease and refuses the late completion", () => {
    const { queue, clock } = setup(1);
    const first = queue.lease("w0")!;
    clock.t = 1001;
    const again = queue.lease("w1")!;
    expect(again.id).toBe(first.id);
    expect(again.leaseId).not.toBe(first.leaseId);
    expect(queue.complete(first.leaseId, 10)).toBe(false);
    expect(queue.complete(again.leaseId, 10)).toBe(true);
    expect(queue.stats()).toMatchObject({ rowsDone: 10, rowsRepeated: 10, expired: 1 });
  });

  it("keeps a renewed lease alive past its first deadline", () => {
    const { queue, clock } = setup(1);
    const t = queue.lease("w0")!;
    clock.t = 900;
    expect(queue.renew(t.leaseId)).toBe(true);
    clock.t = 1500;
    expect(queue.lease("w1")).toBeUndefined();
    expect(queue.complete(t.leaseId, 10)).toBe(true);
  });

  it("gives back every task a lost worker held, first in line", () => {
    const { queue } = setup(3);
    const a = queue.lease("w0")!;
    queue.lease("w1");
    expect(queue.releaseWorker("w0")).toBe(1);
    expect(queue.lease("w2")!.id).toBe(a.id);
  });

  it("finishes only when every task of every epoch is done, epochs in order", () => {
    const { queue } = setup(2, 2);
    for (let epoch = 0; epoch < 2; epoch++) {
      const a = queue.lease("w0")!;
      const b = queue.lease("w1")!;
      expect([a.epoch, b.epoch]).toEqual([epoch, epoch]);
      expect(queue.lease("w2")).toBeUndefined();
      queue.complete(a.leaseId, 10);
      expect(queue.finished).toBe(false);
      queue.complete(b.leaseId, 10);
    }
    expect(queue.finished).toBe(true);
    expect(queue.stats()).toMatchObject({ rowsDone: 40, rowsTotal: 40, tasksDone: 4, tasksTotal: 4, rowsRepeated: 0 });
  });

  it("trains every row exactly once without failures: rows done equals rows total", () => {
    const { queue } = setup(5);
    for (let t = queue.lease("w"); t; t = queue.lease("w")) queue.complete(t.leaseId, t.rows);
    expect(queue.stats().rowsDone).toBe(queue.stats().rowsTotal);
  });
});

describe("TaskQueue across a coordinator restart", () => {
  it("resumes from its saved progress: done tasks stay done, leased ones are handed out again", () => {
    const { queue, clock } = setup(4, 2);
    const a = queue.lease("w0")!;
    const b = queue.lease("w1")!;
    queue.complete(a.leaseId, 10);
    const resumed = new TaskQueue(tasks(4), { epochs: 2, leaseMs: 1000, clock, restore: queue.progress() });
    const handed: number[] = [];
    for (let t = resumed.lease("w"); t && t.epoch === 0; t = resumed.lease("w")) {
      handed.push(t.id);
      resumed.complete(t.leaseId, 10);
    }
    expect(handed.sort()).toEqual([0, 1, 2, 3].filter((i) => i !== a.id).sort());
    expect(handed).toContain(b.id);
    expect(resumed.stats()).toMatchObject({ rowsDone: 40, epoch: 1 });
  });

  it("refuses saved progress for a differently cut dataset, saying why", () => {
    const { queue, clock } = setup(4);
    expect(() => new TaskQueue(tasks(5), { epochs: 1, leaseMs: 1000, clock, restore: queue.progress() })).toThrow(/rowsPerTask changed/);
  });

  it("queues a released task first and counts its trained rows as repeated", () => {
    const { queue } = setup(3);
    const a = queue.lease("w0")!;
    expect(queue.release(a.leaseId, 4)).toBe(true);
    expect(queue.lease("w1")!.id).toBe(a.id);
    expect(queue.stats().rowsRepeated).toBe(4);
  });
});
