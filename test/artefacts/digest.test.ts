import { describe, expect, it } from "vitest";
import { findMismatch, formatDigest, parseMultiDigest, strongestDigest } from "../../src/artefacts/digest.js";

const SHA1 = "a".repeat(40);
const SHA256 = "b".repeat(64);

describe("parseMultiDigest", () => {
  it.each([
    [SHA1, [{ algorithm: "sha1", hex: SHA1 }]],
    [`sha1:${SHA1}`, [{ algorithm: "sha1", hex: SHA1 }]],
    [`sha256:${SHA256.toUpperCase()}`, [{ algorithm: "sha256", hex: SHA256 }]],
    [`${SHA1};sha256:${SHA256}`, [{ algorithm: "sha1", hex: SHA1 }, { algorithm: "sha256", hex: SHA256 }]],
  ])("reads %s", (text, expected) => {
    expect(parseMultiDigest(text)).toEqual(expected);
  });

  it.each(["", "abc", `md5:${SHA1}`, `sha256:${SHA1}`, `${SHA1};nope`, "z".repeat(40)])("rejects %j", (text) => {
    expect(parseMultiDigest(text)).toBeUndefined();
  });
});

describe("digest helpers", () => {
  it("prefers sha512 over sha256 over sha1 and formats sha1 as plain hex", () => {
    const parsed = parseMultiDigest(`${SHA1};sha256:${SHA256}`) ?? [];
    expect(formatDigest(strongestDigest(parsed))).toBe(`sha256:${SHA256}`);
    expect(formatDigest({ algorithm: "sha1", hex: SHA1 })).toBe(SHA1);
  });

  it("reports the first digest that the actual values contradict", () => {
    const expected = parseMultiDigest(`${SHA1};sha256:${SHA256}`) ?? [];
    expect(findMismatch(expected, { sha1: SHA1, sha256: SHA256 })).toBeUndefined();
    expect(findMismatch(expected, { sha1: SHA1, sha256: "c".repeat(64) })).toEqual({ algorithm: "sha256", hex: SHA256 });
    expect(findMismatch(expected, { sha256: SHA256 })).toEqual({ algorithm: "sha1", hex: SHA1 });
  });
});
