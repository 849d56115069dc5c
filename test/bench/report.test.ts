/** bench:peer's table: medians, ratios, and the largest peak where a row asks for it. */
import { describe, expect, it } from "vitest";
import { median, table } from "../../bench/peer/report.js";

describe("the bench:peer table", () => {
  it("takes the middle of an odd count and the mean of the middle two of an even one", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("shows each tool's median, the ratio of medians, and the largest figure where asked", () => {
    const rows = table(
      [
        { label: "full deploy", unit: "ms", bootstrap: [1000, 3000, 2000], bosh: [4000, 4000, 5000], goal: "≤ 0.5" },
        { label: "peak RSS", unit: "MB", bootstrap: [136, 152, 135], bosh: [49, 50, 50], showMax: true },
        { label: "own time", unit: "%", bootstrap: [9.4, 8.2, 11.2], bosh: [] },
      ],
      [],
    ).split("\n");
    expect(rows.slice(2)).toEqual([
      "| full deploy | 2.0 s | 4.0 s | 0.50 | ≤ 0.5 |",
      "| peak RSS | 136 MB (max 152 MB) | 50 MB (max 50 MB) | 2.72 |  |",
      "| own time | 9.4% | | |  |",
    ]);
  });
});
