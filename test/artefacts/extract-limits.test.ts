import { describe, expect, it } from "vitest";
import { DEFAULT_EXTRACT_LIMITS, declaredSizeProblem, extractLimitsFrom, parseByteSize, volumeProblem } from "../../src/artefacts/extract-limits.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe("volumeProblem under the default limits", () => {
  it.each<[string, number, number, boolean]>([
    // what, compressed, uncompressed, refused?
    ["a source release (5:1)", 200 * MiB, 1 * GiB, false],
    ["a stemcell whose image is itself a tgz (1:1)", 1 * GiB, 1 * GiB, false],
    ["600 MiB of zeros in 600 KiB: below the threshold, the ratio says nothing", 600 * 1024, 600 * MiB, false],
    ["a 1.5 GiB sparse disk image in 10 MiB (~154:1)", 10 * MiB, 1.5 * GiB, false],
    ["a 20 GiB raw disk image in 400 MiB (~51:1)", 400 * MiB, 20 * GiB, false],
    ["a bomb: 1.1 GiB from 2 MiB (~563:1)", 2 * MiB, 1.1 * GiB, true],
    ["a bomb at level 1: 1.1 GiB from 4.9 MiB (~230:1)", 4.9 * MiB, 1.1 * GiB, true],
    ["anything past 64 GiB, however it compresses", 64 * GiB, 64 * GiB + 1, true],
  ])("%s", (_what, compressed, uncompressed, refused) => {
    expect(volumeProblem({ compressed, uncompressed }, DEFAULT_EXTRACT_LIMITS) !== undefined).toBe(refused);
  });

  it("says how far over it went and which variable raises the limit", () => {
    expect(volumeProblem({ compressed: 2 * MiB, uncompressed: 1.1 * GiB }, DEFAULT_EXTRACT_LIMITS)).toMatch(/expands 563 times \(1\.1 GiB from 2\.0 MiB\), more than the limit of 200 \(BOOTSTRAP_EXTRACT_MAX_RATIO\)/);
  });

  it("turns the ratio check off with a ratio of 0", () => {
    expect(volumeProblem({ compressed: 1, uncompressed: 2 * GiB }, { ...DEFAULT_EXTRACT_LIMITS, maxRatio: 0 })).toBeUndefined();
  });
});

describe("declaredSizeProblem", () => {
  it("refuses one entry or the running total past the size limit, from the headers alone", () => {
    expect(declaredSizeProblem(65 * GiB, 65 * GiB, DEFAULT_EXTRACT_LIMITS)).toContain("declares 65.0 GiB");
    expect(declaredSizeProblem(1 * GiB, 65 * GiB, DEFAULT_EXTRACT_LIMITS)).toContain("declared total to 65.0 GiB");
    expect(declaredSizeProblem(20 * GiB, 40 * GiB, DEFAULT_EXTRACT_LIMITS)).toBeUndefined();
  });
});

describe("extractLimitsFrom", () => {
  it("reads sizes with binary units and ratios from the environment", () => {
    expect(extractLimitsFrom({ BOOTSTRAP_EXTRACT_MAX_BYTES: "200G", BOOTSTRAP_EXTRACT_MAX_RATIO: "2000" })).toEqual({ ...DEFAULT_EXTRACT_LIMITS, maxBytes: 200 * GiB, maxRatio: 2000 });
    expect(extractLimitsFrom({})).toEqual(DEFAULT_EXTRACT_LIMITS);
    expect(parseByteSize("512MiB")).toBe(512 * MiB);
    expect(parseByteSize("1t")).toBe(1024 * GiB);
    expect(parseByteSize("12345")).toBe(12345);
  });

  it.each([["BOOTSTRAP_EXTRACT_MAX_BYTES", "lots"], ["BOOTSTRAP_EXTRACT_MAX_BYTES", "0"], ["BOOTSTRAP_EXTRACT_MAX_RATIO", "-1"], ["BOOTSTRAP_EXTRACT_MAX_RATIO", "x"]])("refuses %s=%s with USAGE", (name, value) => {
    expect(() => extractLimitsFrom({ [name]: value })).toThrow(expect.objectContaining({ code: "USAGE", message: expect.stringContaining(name) }));
  });
});
