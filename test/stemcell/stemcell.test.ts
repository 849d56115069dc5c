import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractStemcellImage, inspectStemcell } from "../../src/stemcell/index.js";
import { buildStemcell, packDir, rawTarball, sha256Of, writeTree } from "../director-release/release-fixtures.js";

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
  it("reads stemcell.MF with the version kept as written and the tarball's sha256", async () => {
    const tarball = await buildStemcell(root, MANIFEST);
    expect(await inspectStemcell(tarball, { cacheDir: join(root, "cache") })).toEqual({
      name: "bosh-local-stemcell",
      version: "3586.100",
      operatingSystem: "local",
      apiVersion: 3,
      cloudProperties: { disk: 4096, nested: { a: true } },
      stemcellFormats: ["local-tgz"],
      digest: `sha256:${sha256Of(tarball)}`,
    });
  });

  it("treats a missing api_version as 1", async () => {
    const tarball = await buildStemcell(root, "name: s\nversion: '1'\noperating_system: x\n");
    expect(await inspectStemcell(tarball, { cacheDir: join(root, "cache") })).toMatchObject({ apiVersion: 1, cloudProperties: {} });
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
