import { describe, expect, it } from "vitest";
import { loadBar } from "../../../../bin/watch/load-bar.js";
import { sparkline } from "../../../../bin/watch/sparkline.js";

describe("sparkline", () => {
  it("maps the lowest value to the lowest block and the highest to the full block", () => {
    expect(sparkline([0, 5, 10], 3)).toBe("▁▅█");
  });

  it("keeps only the last `width` values", () => {
    expect(sparkline([100, 1, 2, 3], 3)).toBe("▁▅█");
  });

  it("draws a flat series on the lowest block and missing values as spaces", () => {
    expect(sparkline([7, NaN, 7], 3)).toBe("▁ ▁");
    expect(sparkline([NaN, NaN], 5)).toBe("  ");
  });
});

describe("loadBar", () => {
  it("fills cells in proportion to value / max", () => {
    expect(loadBar(5, 10, 10)).toBe("█████░░░░░");
    expect(loadBar(10, 10, 4)).toBe("████");
  });

  it("draws an empty bar for no load, a missing rate or a zero maximum", () => {
    expect(loadBar(0, 10, 4)).toBe("░░░░");
    expect(loadBar(NaN, 10, 4)).toBe("░░░░");
    expect(loadBar(3, 0, 4)).toBe("░░░░");
  });
});
