/**
 * A stemcell is read in one of two ways: scanned for stemcell.MF (nothing written; `plan`, or a
 * deploy's second look) then extracted for its image, which goes to the CPI; or, on a deploy,
 * extracted once and stemcell.MF read from the tree. Every way refuses what a real stemcell never
 * holds.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanTarball } from "../../src/artefacts/tarball-scan.js";
import { extractStemcellImage, inspectStemcell, unpackStemcell } from "../../src/stemcell/index.js";
import { bigFileTarball, gzipTar } from "../artefacts/hostile-tarballs.js";

const MANIFEST = "---\nname: s\nversion: '1'\noperating_system: local\napi_version: 3\nsha1: x\ncloud_properties: {}\n";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "hostile-stemcell-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(bytes: Buffer): string {
  const path = join(root, "stemcell.tgz");
  writeFileSync(path, bytes);
  return path;
}

describe("a hostile stemcell", () => {
  it("is refused when its image is a link, even one inside, so the CPI never uploads what it points at", async () => {
    const tarball = write(gzipTar([{ path: "stemcell.MF", content: MANIFEST }, { path: "disk.raw", content: "bytes" }, { path: "image", type: "2", linkpath: "disk.raw" }]));
    await expect(extractStemcellImage(tarball, join(root, "work"))).rejects.toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("is a symbolic link") });
  });

  it("is refused by the scan when stemcell.MF claims to be huge, without holding it in memory", async () => {
    const tarball = write(gzipTar([{ path: "stemcell.MF", content: MANIFEST, declaredSize: 32 * 1024 ** 3 }]));
    await expect(inspectStemcell(tarball, { cacheDir: join(root, "cache") })).rejects.toMatchObject({ code: "ARCHIVE_TOO_LARGE", message: expect.stringContaining("stemcell.MF") });
  });

  it("is refused by the scan when it is a gzip bomb (scaled down: 64 MiB of zeros past a 1 MiB threshold)", async () => {
    const tarball = write(bigFileTarball([{ path: "stemcell.MF", content: MANIFEST }], "image", Buffer.alloc(8 * 1024 ** 2), 8, 9));
    const limits = { maxBytes: 1024 ** 3, maxRatio: 200, ratioFreeBytes: 1024 ** 2 };
    await expect(scanTarball(tarball, ["stemcell.MF"], ["sha256"], limits)).rejects.toMatchObject({ code: "ARCHIVE_TOO_LARGE", message: expect.stringContaining("entry 'image'") });
  });

  it("is refused when its image is a link, also when it was extracted while it was validated", async () => {
    const tarball = write(gzipTar([{ path: "stemcell.MF", content: MANIFEST }, { path: "disk.raw", content: "bytes" }, { path: "image", type: "2", linkpath: "disk.raw" }]));
    const unpacked = await unpackStemcell(tarball, { cacheDir: join(root, "cache"), dir: async () => join(root, "work") });
    await expect(unpacked.image?.()).rejects.toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("is a symbolic link") });
  });

  it("is refused when stemcell.MF is a link, rather than read through it", async () => {
    const tarball = write(gzipTar([{ path: "real.MF", content: MANIFEST }, { path: "stemcell.MF", type: "2", linkpath: "real.MF" }, { path: "image", content: "img" }]));
    await expect(unpackStemcell(tarball, { cacheDir: join(root, "cache"), dir: async () => join(root, "work") })).rejects.toMatchObject({
      code: "UNSAFE_ARCHIVE",
      message: expect.stringContaining("stemcell.MF"),
    });
  });

  it("is refused, its tree removed, when an entry would land outside", async () => {
    const tarball = write(gzipTar([{ path: "stemcell.MF", content: MANIFEST }, { path: "../outside", content: "x" }]));
    await expect(unpackStemcell(tarball, { cacheDir: join(root, "cache"), dir: async () => join(root, "work") })).rejects.toMatchObject({ code: "UNSAFE_ARCHIVE" });
    expect(existsSync(join(root, "outside"))).toBe(false);
    expect(existsSync(join(root, "work"))).toBe(false);
  });
});
