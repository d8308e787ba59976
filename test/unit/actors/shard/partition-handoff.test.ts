/**
 * A partition handed from one shard to another at a `log.map` entry: two appliers that
 * split the log between them (each applying its own partitions, handing over at the
 * entry) must end with exactly the rows one applier owning everything gets from the same
 * log: in async mode, and in sync mode with a step open (entries held) at the handoff.
 */
import { describe, expect, it } from "vitest";
import { PartitionLedger } from "../../../../actors/shard/partition-ledger.js";
import { ParameterStore } from "../../../../actors/shard/parameter-store.js";
import { UpdateLogApplier } from "../../../../actors/shard/update-log-applier.js";
import { decodeMessage, encodeMessage, partitionOf, subjects, tensor, type PartitionHandoff } from "../../../../protocols/index.js";
import { seededRandom } from "../../../../train/seeded-random.js";
import { createModel, createOptimizer } from "../../../../train/index.js";

const CLUSTER = "handoff";
const P = 8;
const FIELDS = 3;

interface Entry { readonly subject: string; readonly data: Uint8Array }

/** A seeded stream of floats in [0, 1) and integers below n. */
class SeededRandom {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function storeOf(): ParameterStore {
  const model = createModel({ kind: "lr", seed: 7, fields: FIELDS, denseDim: 2 });
  return new ParameterStore(model, createOptimizer({ kind: "adagrad", lr: 0.1, eps: 1e-10, initialAccumulator: 0.1 }));
}

/** One shard's view: an applier that applies what `owners` gives `self`. */
function shard(self: string, owners: () => readonly string[]) {
  const store = storeOf();
  const ledger = new PartitionLedger();
  const applier = new UpdateLogApplier({
    store, ledger, commitSubject: subjects.logCommit(CLUSTER), owns: (p) => owners()[p] === self, partitions: () => P,
  });
  return { store, ledger, applier };
}

/** Random pushes over a few hot ids, grouped by partition as workers append them. */
function pushes(rng: SeededRandom, n: number, producer: string, opts: { step?: number; micro?: number } = {}): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const byPartition = new Map<number, { tables: number[]; ids: number[] }>();
    for (let k = 0; k < 12; k++) {
      const table = rng.int(FIELDS);
      const id = rng.int(40);
      const p = partitionOf(table, id, P);
      const e = byPartition.get(p) ?? { tables: [], ids: [] };
      if (e.tables.some((t, j) => t === table && e.ids[j] === id)) continue;
      e.tables.push(table);
      e.ids.push(id);
      byPartition.set(p, e);
    }
    for (const [p, e] of byPartition) {
      const grads = Float32Array.from({ length: e.tables.length }, () => rng.next() - 0.5);
      out.push({
        subject: subjects.log(CLUSTER, p),
        data: encodeMessage({
          v: 1, type: "log.update", producer, seq: opts.micro ?? i, partition: p,
          tables: tensor(Uint32Array.from(e.tables)), ids: tensor(Uint32Array.from(e.ids)), grads: tensor(grads),
          ...(opts.step !== undefined ? { step: opts.step, micro: opts.micro ?? i } : {}),
        }),
      });
    }
  }
  return out;
}

const commit = (step: number): Entry => ({ subject: subjects.logCommit(CLUSTER), data: encodeMessage({ v: 1, type: "log.commit", step, micros: 4 }) });

/** Every row of a store, as "table:id" → bytes of its params and state, for exact comparison. */
function rowsOf(...stores: ParameterStore[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of stores) {
    for (const t of s.exportRows()) {
      for (let i = 0; i < t.ids.length; i++) {
        const key = `${t.table}:${t.ids[i]}`;
        expect(out.has(key), `row ${key} held twice`).toBe(false);
        const bytes = [...t.params.subarray(i * t.dim, (i + 1) * t.dim), ...t.state.subarray(i * t.stateWidth, (i + 1) * t.stateWidth)];
        out.set(key, Buffer.from(Float32Array.from(bytes).buffer).toString("hex"));
      }
    }
  }
  return out;
}

/**
 * Runs `before`, hands partitions `moving` from a to b at one log entry (through the wire
 * form, as the handoff stream carries it), then runs `after`; compares with one applier
 * that owns everything.
 */
function splitVersusWhole(before: Entry[], moving: number[], after: Entry[]): void {
  const first = Array.from({ length: P }, (_, p) => (p % 2 === 0 ? "a" : "b"));
  const second = first.map((o, p) => (moving.includes(p) ? (o === "a" ? "b" : "a") : o));
  let owners: readonly string[] = first;
  const a = shard("a", () => owners);
  const b = shard("b", () => owners);
  const whole = shard("w", () => Array(P).fill("w"));
  let seq = 0;
  const feed = (e: Entry): void => {
    seq++;
    for (const s of [a, b, whole]) s.applier.take(e.subject, seq, e.data);
  };
  before.forEach(feed);
  const at = ++seq;
  const handed = (from: typeof a, to: string, ps: number[]): PartitionHandoff[] =>
    from.applier.exportPartitions(new Map(ps.map((p) => [p, to])), at, "x").map((h) => {
      // Through the bytes the store holds.
      const wire = encodeMessage({ ...h, tables: h.tables.map((t) => ({ ...t, ids: tensor(t.ids), params: tensor(t.params), state: tensor(t.state) })) });
      return decodeMessage(wire, ["ps.handoff"]);
    });
  const toB = moving.filter((p) => first[p] === "a");
  const toA = moving.filter((p) => first[p] === "b");
  const forB = handed(a, "b", toB);
  const forA = handed(b, "a", toA);
  a.applier.handOver(at, second, toB, forA);
  b.applier.handOver(at, second, toA, forB);
  owners = second;
  expect(a.ledger.position).toBe(at);
  after.forEach(feed);
  expect(rowsOf(a.store, b.store)).toEqual(rowsOf(whole.store));
  expect(a.store.size + b.store.size).toBe(whole.store.size);
}

describe("partition handoff", () => {
  it("async: two shards that swap partitions mid-log end with the rows of one shard that owned them all", () => {
    const rng = new SeededRandom(3);
    const before = pushes(rng, 30, "w1");
    const after = [...pushes(rng, 30, "w2"), ...before.slice(0, 5)]; // and replays of old entries: applied once
    splitVersusWhole(before, [0, 1, 2, 5], after);
  });

  it("sync: a step open at the handoff (its entries held) is committed by the new owner exactly as by one shard", () => {
    const rng = new SeededRandom(4);
    const step0 = [0, 1, 2, 3].flatMap((micro) => pushes(rng, 1, "s", { step: 0, micro }));
    const step1a = [0, 1].flatMap((micro) => pushes(rng, 1, "s", { step: 1, micro }));
    const step1b = [2, 3].flatMap((micro) => pushes(rng, 1, "s", { step: 1, micro }));
    splitVersusWhole([...step0, commit(0), ...step1a], [1, 2, 3, 4, 6], [...step1b, commit(1)]);
  });

  it("a snapshot cut is refused while a sync step held across a handoff is open, and allowed after its commit", () => {
    const owners = Array.from({ length: P }, () => "a");
    const a = shard("a", () => owners);
    const rng = new SeededRandom(5);
    let seq = 0;
    for (const e of pushes(rng, 1, "s", { step: 0, micro: 0 })) a.applier.take(e.subject, ++seq, e.data);
    expect(a.applier.cut()).toBeDefined();
    a.applier.handOver(++seq, owners.map((o, p) => (p === 3 ? "b" : o)), [3], []);
    expect(a.applier.cut()).toBeUndefined();
    a.applier.take(commit(0).subject, ++seq, commit(0).data);
    expect(a.applier.cut()?.position).toBe(seq);
    expect(a.applier.cut()?.owners?.[3]).toBe("b");
  });
});
