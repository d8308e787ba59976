import { describe, expect, it } from "vitest";
import { parseRebalanceArgs } from "../../../bench/rebalance.js";
import { parseScaleArg } from "../../../bin/scale.js";

describe("parseScaleArg", () => {
  it("reads workers=N and shards=N", () => {
    expect(parseScaleArg("workers=0")).toEqual({ workers: 0 });
    expect(parseScaleArg("workers=12")).toEqual({ workers: 12 });
    expect(parseScaleArg("shards=4")).toEqual({ shards: 4 });
  });

  it("refuses what it can't scale, with the range it accepts", () => {
    expect(() => parseScaleArg("shards=0")).toThrow(/outside 1\.\.64/);
    expect(() => parseScaleArg("shards=65")).toThrow(/outside 1\.\.64/);
    expect(() => parseScaleArg("workers=257")).toThrow(/more than 256/);
    expect(() => parseScaleArg("coordinators=2")).toThrow(/expected workers=N .* or shards=N/);
    expect(() => parseScaleArg(undefined)).toThrow(/got ''/);
  });
});

describe("parseRebalanceArgs", () => {
  it("defaults to Zipf 1.1, 4 shards, 256 partitions", () => {
    expect(parseRebalanceArgs([])).toEqual({ zipf: 1.1, shards: 4, partitions: 256, quick: false, json: false });
    expect(parseRebalanceArgs(["--zipf", "1.3", "--shards", "3", "--partitions", "32", "--json"])).toMatchObject({ zipf: 1.3, shards: 3, partitions: 32, json: true });
  });

  it("refuses bad figures", () => {
    expect(() => parseRebalanceArgs(["--zipf", "-1"])).toThrow(/--zipf/);
    expect(() => parseRebalanceArgs(["--shards", "1"])).toThrow(/--shards/);
    expect(() => parseRebalanceArgs(["--partitions", "x"])).toThrow(/--partitions/);
  });
});
