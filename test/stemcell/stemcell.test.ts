import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractStemcellImage, inspectStemcell, requireSupportedStemcellApi, unpackStemcell } from "../../src/stemcell/index.js";
import { buildStemcell, packDir, rawTarball, writeTree } from "../director-release/release-fixtures.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "stemcell-"));
});

const MANIFEST = `---
name: bosh-local-stemcell
version: 3586.100
operating_system: local
api_version: 3
sha1: ${"0".repeat(40)}
stemcell_formats: [local-tgz]
cloud_properties:
  disk: 4096
  nested: {a: true}
`;

describe("inspectStemcell", () => {
  it("reads stemcell.MF with the version kept as written", async () => {
    const tarball = await buildStemcell(root, MANIFEST);
    expect(await inspectStemcell(tarball, { cacheDir: join(root, "cache") })).toEqual({
      name: "bosh-local-stemcell",
      version: "3586.100",
      operatingSystem: "local",
      apiVersion: 3,
      cloudProperties: { disk: 4096, nested: { a: true } },
      stemcellFormats: ["local-tgz"],
    });
  });

  it("treats a missing api_version as 1", async () => {
    const tarball = await buildStemcell(root, "name: s\nversion: '1'\noperating_system: x\n");
    expect(await inspectStemcell(tarball, { cacheDir: join(root, "cache") })).toMatchObject({ apiVersion: 1, cloudProperties: {} });
  });

  // bosh-cli 7.9.13 refuses these too, but after installing the CPI and calling its `info`,
  // saying "The `bosh` cli requires CPI v2.0 or greater, you are using 2".
  it.each([
    ["api_version: 1", "declares api_version 1 (or none: stemcell.MF without api_version reads as 1)"],
    ["api_version: 0", "declares api_version 1 (or none"],
    ["", "declares api_version 1 (or none"],
  ])("refuses a stemcell with %j before anything acts on it (STEMCELL_UNSUPPORTED)", async (line, said) => {
    const tarball = await buildStemcell(root, `name: old\nversion: '3468.1'\noperating_system: trusty\n${line}\n`);
    const summary = await inspectStemcell(tarball, { cacheDir: join(root, "cache") });
    expect(() => requireSupportedStemcellApi(summary, tarball)).toThrow(
      expect.objectContaining({ code: "STEMCELL_UNSUPPORTED", message: expect.stringContaining(`Stemcell 'old/3468.1' (${tarball}: stemcell.MF) ${said}`) }),
    );
  });

  it("takes api_version 2 and later", async () => {
    for (const api of [2, 3]) {
      const tarball = await buildStemcell(join(root, String(api)), `name: s\nversion: '1'\noperating_system: x\napi_version: ${api}\n`);
      const summary = await inspectStemcell(tarball, { cacheDir: join(root, "cache") });
      expect(requireSupportedStemcellApi(summary, tarball)).toBe(summary);
    }
  });

  it("is served from the cache until size or mtime change", async () => {
    const cacheDir = join(root, "cache");
    const tarball = await buildStemcell(root, MANIFEST);
    const fixed = new Date("2026-02-02T00:00:00Z");
    utimesSync(tarball, fixed, fixed);
    const first = await inspectStemcell(tarball, { cacheDir });
    writeFileSync(tarball, Buffer.alloc(statSync(tarball).size, 0x42));
    utimesSync(tarball, fixed, fixed);
    expect(await inspectStemcell(tarball, { cacheDir })).toEqual(first);
    writeFileSync(tarball, "not a tarball");
    await expect(inspectStemcell(tarball, { cacheDir })).rejects.toMatchObject({ code: "STEMCELL_INVALID" });
  });

  it("lists every problem of an invalid stemcell.MF", async () => {
    const tarball = await buildStemcell(root, "name: s\napi_version: two\ncloud_properties: [1]\n");
    const error = await inspectStemcell(tarball, { cacheDir: join(root, "cache") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STEMCELL_INVALID", message: expect.stringContaining("stemcell.tgz") });
    expect((error as { details: string[] }).details).toEqual([
      "version must be a non-empty string",
      "operating_system must be a non-empty string",
      "api_version must be a whole number",
      "cloud_properties must be a map",
    ]);
  });

  it("says so when the tarball has no stemcell.MF", async () => {
    writeTree(join(root, "x"), { image: "img" });
    const tarball = await packDir(join(root, "x"), join(root, "x.tgz"));
    await expect(inspectStemcell(tarball, { cacheDir: root })).rejects.toMatchObject({ code: "STEMCELL_INVALID", message: expect.stringContaining("no stemcell.MF") });
  });
});

describe("extractStemcellImage", () => {
  it("returns the extracted image", async () => {
    const tarball = await buildStemcell(root, MANIFEST, "the image content");
    const image = await extractStemcellImage(tarball, join(root, "work"));
    expect(readFileSync(image, "utf8")).toBe("the image content");
  });

  it("refuses a stemcell whose entries escape the directory", async () => {
    const tarball = join(root, "evil.tgz");
    writeFileSync(tarball, rawTarball([{ path: "stemcell.MF", content: MANIFEST }, { path: "image", type: "2", linkpath: "/etc/shadow" }]));
    await expect(extractStemcellImage(tarball, join(root, "work"))).rejects.toMatchObject({ code: "UNSAFE_ARCHIVE" });
  });

  it("fails clearly without an image", async () => {
    writeTree(join(root, "y"), { "stemcell.MF": MANIFEST });
    const tarball = await packDir(join(root, "y"), join(root, "y.tgz"));
    await expect(extractStemcellImage(tarball, join(root, "work"))).rejects.toMatchObject({ code: "STEMCELL_INVALID", message: expect.stringContaining("no image") });
  });
});

describe("unpackStemcell", () => {
  it("reads stemcell.MF out of the tree it extracts, and hands over the image from the same pass", async () => {
    const tarball = await buildStemcell(root, MANIFEST, "the image content");
    const dirs: string[] = [];
    const dir = async (): Promise<string> => (dirs.push(join(root, "work")), join(root, "work"));
    const unpacked = await unpackStemcell(tarball, { cacheDir: join(root, "cache"), dir });
    expect(unpacked.summary).toEqual(await inspectStemcell(tarball, { cacheDir: join(root, "other-cache") }));
    expect(dirs).toEqual([join(root, "work")]);
    const image = await unpacked.image?.();
    expect(image).toBe(join(root, "work", "image"));
    expect(readFileSync(image ?? "", "utf8")).toBe("the image content");
  });

  it("shares inspectStemcell's cache: an unchanged tarball is neither extracted nor scanned again", async () => {
    const cacheDir = join(root, "cache");
    const tarball = await buildStemcell(root, MANIFEST);
    const fixed = new Date("2026-02-02T00:00:00Z");
    utimesSync(tarball, fixed, fixed);
    const first = await unpackStemcell(tarball, { cacheDir, dir: async () => join(root, "work") });
    // Same size and mtime, other bytes: only a cache hit can still answer.
    writeFileSync(tarball, Buffer.alloc(statSync(tarball).size, 0x42));
    utimesSync(tarball, fixed, fixed);
    expect(await inspectStemcell(tarball, { cacheDir })).toEqual(first.summary);
    const again = await unpackStemcell(tarball, { cacheDir, dir: () => Promise.reject(new Error("nothing to extract")) });
    expect(again).toEqual({ summary: first.summary });
  });

  it("says so when the tarball has no stemcell.MF, and when it is no tarball", async () => {
    writeTree(join(root, "x"), { image: "img" });
    const tarball = await packDir(join(root, "x"), join(root, "x.tgz"));
    const dir = async (): Promise<string> => join(root, "work");
    await expect(unpackStemcell(tarball, { cacheDir: root, dir })).rejects.toMatchObject({ code: "STEMCELL_INVALID", message: `Stemcell tarball '${tarball}' has no stemcell.MF` });
    writeFileSync(join(root, "junk.tgz"), "not a tarball");
    await expect(unpackStemcell(join(root, "junk.tgz"), { cacheDir: root, dir })).rejects.toMatchObject({ code: "STEMCELL_INVALID" });
  });

  it("lists every problem of an invalid stemcell.MF, as inspectStemcell does", async () => {
    const tarball = await buildStemcell(root, "name: s\napi_version: two\ncloud_properties: [1]\n");
    const error = await unpackStemcell(tarball, { cacheDir: join(root, "cache"), dir: async () => join(root, "work") }).catch((e: unknown) => e);
    const scanned = await inspectStemcell(tarball, { cacheDir: join(root, "cache") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STEMCELL_INVALID", message: (scanned as Error).message, details: (scanned as { details: string[] }).details });
  });
});
