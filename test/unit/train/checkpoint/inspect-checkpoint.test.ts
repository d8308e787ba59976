import { describe, expect, it } from "vitest";
import { CheckpointError, DENSE_TABLE, inspectCheckpoint } from "../../../../train/index.js";
import { ctrFile } from "../../../helpers/ctr-data.js";
import { tempDir } from "../helpers/temp-files.js";
import { trainSharded, writeTrainedCheckpoint, type TrainedModel } from "../helpers/trained-checkpoint.js";

const TRAIN_ROWS = 3000;

/** Trains dlrm-small on the same rows with `shards` parameter stores (deterministic: one call per test is fine). */
const train = (shards: number): Promise<TrainedModel> =>
  trainSharded({ kind: "dlrm-small", trainPath: ctrFile(TRAIN_ROWS, 31), shards });

describe("colony inspect's digests (train/checkpoint inspectCheckpoint)", () => {
  it("gives the same digest for every tensor whether one shard or two wrote the same parameters", async () => {
    const one = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), await train(1)));
    const two = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), await train(2)));
    expect(one.shards).toEqual(["shard-0"]);
    expect(two.shards).toEqual(["shard-0", "shard-1"]);
    expect(two.tables.every((t) => Object.keys(t.rowsPerShard).length === 2)).toBe(true);
    expect(two.digest).toEqual(one.digest);
    expect(two.dense).toEqual(one.dense);
    expect(two.tables.map(({ rowsPerShard: _, ...t }) => t)).toEqual(one.tables.map(({ rowsPerShard: _, ...t }) => t));
  });

  it("reports the job, the model and the rows of every table, dense blocks included", async () => {
    const r = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), await train(2)));
    expect(r.rowsTrained).toBe(TRAIN_ROWS);
    expect(r.model.kind).toBe("dlrm-small");
    expect(r.tables).toHaveLength(27);
    expect(r.tables.at(-1)).toMatchObject({ table: DENSE_TABLE, name: "dense.blocks" });
    expect(r.rows).toBe(r.tables.reduce((n, t) => n + t.rows, 0));
    for (const t of r.tables) expect(Object.values(t.rowsPerShard).reduce((a, b) => a + b, 0)).toBe(t.rows);
    expect(r.dense.map((d) => d.name)).toEqual([
      "bottom.0.weight", "bottom.0.bias", "bottom.1.weight", "bottom.1.bias",
      "top.0.weight", "top.0.bias", "top.1.weight", "top.1.bias", "top.2.weight", "top.2.bias",
    ]);
    expect(r.dense[0]!.shape).toEqual([64, 13]);
    expect(r.digest.params).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes the params digest, and only the changed table's, when one embedding value changes", async () => {
    const trained = await train(2);
    const before = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained));
    const after = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained, (shard, rows) => {
      if (shard === 1) rows.find((t) => t.table === 5)!.params[0]! += 1e-6;
    }));
    expect(after.digest.params).not.toBe(before.digest.params);
    expect(after.digest.state).toBe(before.digest.state);
    const changed = after.tables.filter((t, i) => t.params !== before.tables[i]!.params).map((t) => t.name);
    expect(changed).toEqual(["embeddings.5"]);
    expect(after.dense).toEqual(before.dense);
  });

  it("changes only the changed dense tensor's digest when one dense weight changes", async () => {
    const trained = await train(1);
    const before = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained));
    const after = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained, (_, rows) => {
      // Block 0 starts with bottom.0.weight[0][0].
      const dense = rows.find((t) => t.table === DENSE_TABLE)!;
      dense.params[dense.ids.indexOf(0) * dense.dim] = 0.5;
    }));
    expect(after.digest.params).not.toBe(before.digest.params);
    const changed = after.dense.filter((d, i) => d.sha256 !== before.dense[i]!.sha256).map((d) => d.name);
    expect(changed).toEqual(["bottom.0.weight"]);
  });

  it("digests the optimizer state apart: changing it leaves the params digest alone", async () => {
    const trained = await train(1);
    const before = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained));
    const after = await inspectCheckpoint(await writeTrainedCheckpoint(tempDir(), trained, (_, rows) => {
      rows.find((t) => t.table === 0)!.state[0]! += 1;
    }));
    expect(after.digest.params).toBe(before.digest.params);
    expect(after.digest.state).not.toBe(before.digest.state);
  });

  it("refuses a checkpoint that stores the same row in two shards' parts, saying to write it again", async () => {
    const trained = await train(2);
    const dir = await writeTrainedCheckpoint(tempDir(), trained, (shard, rows) => {
      if (shard !== 1) return;
      // Shard 1 also claims shard 0's first row of table 2.
      const t = rows.findIndex((x) => x.table === 2);
      const other = trained.stores[0]!.exportRows().find((x) => x.table === 2)!;
      const mine = rows[t]!;
      const ids = new Uint32Array(mine.ids.length + 1);
      ids.set(mine.ids);
      ids[mine.ids.length] = other.ids[0]!;
      const params = new Float32Array(ids.length * mine.dim);
      params.set(mine.params);
      const state = new Float32Array(ids.length * mine.stateWidth);
      state.set(mine.state);
      rows[t] = { ...mine, ids, params, state };
    });
    const err = await inspectCheckpoint(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/stored twice.*write it again/);
  });

  it("refuses a directory without a manifest", async () => {
    await expect(inspectCheckpoint(tempDir())).rejects.toBeInstanceOf(CheckpointError);
  });
});
