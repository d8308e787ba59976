import { describe, expect, it } from "vitest";
import { TrainedRows } from "../../../bench/trained-rows.js";

describe("TrainedRows", () => {
  it("keeps a killed worker's rows in the total when its replacement starts counting from zero", () => {
    const rows = new TrainedRows();
    rows.record("worker-0/100", 5000, 1000);
    rows.record("worker-1/101", 3000, 1000);
    rows.record("worker-0/200", 0, 2000);
    expect(rows.rowsAt(2000)).toBe(8000);
  });

  it("interpolates between heartbeats and gives the rate between two times", () => {
    const rows = new TrainedRows();
    rows.record("worker-0/1", 0, 0);
    rows.record("worker-0/1", 1000, 1000);
    rows.record("worker-0/1", 3000, 2000);
    expect(rows.rowsAt(1500)).toBe(2000);
    expect(rows.rate(0, 2000)).toBe(1500);
  });

  it("knows nothing outside the heartbeats it has seen", () => {
    const rows = new TrainedRows();
    rows.record("worker-0/1", 10, 1000);
    rows.record("worker-0/1", 20, 2000);
    expect(rows.rowsAt(500)).toBeUndefined();
    expect(rows.rate(1500, 2500)).toBeUndefined();
  });

  it("finds the first heartbeat after a stall that shows training again", () => {
    const rows = new TrainedRows();
    rows.record("worker-0/1", 100, 1000);
    rows.record("worker-0/1", 100, 2000);
    rows.record("worker-0/1", 100, 3000);
    rows.record("worker-0/1", 150, 4000);
    expect(rows.firstGrowthAfter(1500)).toBe(4000);
    expect(rows.firstGrowthAfter(4000)).toBeUndefined();
  });
});
