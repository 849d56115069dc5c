/**
 * A stemcell is read twice: scanned for stemcell.MF (nothing written) and extracted for its
 * image, which goes to the CPI. Both refuse what a real stemcell never holds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanTarball } from "../../src/artefacts/tarball-scan.js";
import { extractStemcellImage, inspectStemcell } from "../../src/stemcell/index.js";
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
});
