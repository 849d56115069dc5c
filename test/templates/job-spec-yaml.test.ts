/**
 * job.MF defaults reach templates typed as bosh-cli's yaml.v2 (YAML 1.1) reads them; checked
 * against the bosh-cli binary by test/interop/rendering.test.ts (job "scalars").
 */
import { describe, expect, it } from "vitest";
import { parseJobSpec } from "../../src/director-release/release-manifest.js";

describe("job.MF property defaults (YAML 1.1, as bosh-cli reads them)", () => {
  it.each<[string, unknown]>([
    ["yes", true],
    ["no", false],
    ["on", true],
    ["off", false],
    ["0777", 511],
    ["0x1F", 31],
    ["1_000", 1000],
    ["2024-01-31", "2024-01-31"],
    ["1.10", 1.1],
    ['"123"', "123"],
    ["~", null],
  ])("default: %s", (text, expected) => {
    const spec = parseJobSpec(`name: j\nproperties:\n  p:\n    default: ${text}\n`, "job.MF");
    expect(spec.properties["p"]?.default).toEqual(expected);
  });
});
