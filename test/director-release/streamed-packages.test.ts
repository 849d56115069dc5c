/**
 * Package archives streamed out of a release tarball (package-archives.ts over tar-files.ts):
 * never held whole in memory, whatever their size (measured as what stays allocated after a
 * garbage collection while a slow reader takes a 64 MiB archive, not as time); a second open()
 * reads the archive again; a tarball that ends inside an archive fails the pass instead of
 * leaving its reader waiting.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { c as createTar } from "tar";
import { beforeEach, describe, expect, it } from "vitest";
import { streamPackageArchives, type PackageInTarball } from "../../src/director-release/index.js";

const MIB = 1024 * 1024;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "streamed-packages-"));
});

/** A tarball (gzip level 0: random bytes do not compress anyway) of packages/<name>.tgz files of the given sizes, random bytes each. */
async function releaseTarball(sizes: Record<string, number>): Promise<{ tarball: string; packages: PackageInTarball[]; sha256: Record<string, string> }> {
  const stage = join(root, "stage");
  await mkdir(join(stage, "packages"), { recursive: true });
  const sha256: Record<string, string> = {};
  for (const [name, size] of Object.entries(sizes)) {
    const hash = createHash("sha256");
    const fd = openSync(join(stage, "packages", `${name}.tgz`), "w");
    for (let left = size; left > 0; left -= MIB) {
      const chunk = randomBytes(Math.min(MIB, left));
      hash.update(chunk);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    sha256[name] = hash.digest("hex");
  }
  const tarball = join(root, "release.tgz");
  await createTar({ gzip: { level: 0 }, file: tarball, cwd: stage, portable: true }, ["packages"]);
  rmSync(stage, { recursive: true });
  const packages = Object.keys(sizes).map((name) => ({
    name,
    fingerprint: `fp-${name}`,
    sha1: "",
    archiveSha256: sha256[name] ?? "",
    dependencies: [],
    compiled: false,
    tarball,
    entry: `packages/${name}.tgz`,
  }));
  return { tarball, packages, sha256 };
}

function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("package archives streamed from a release tarball", () => {
  it("holds a chunk or two of a 64 MiB archive at a time, however slowly it is read", async () => {
    const { packages, sha256 } = await releaseTarball({ big: 64 * MIB, small: 64 * 1024 });
    const gc = collector();
    const retained = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.arrayBuffers + m.heapUsed;
    };
    const before = retained();
    let peak = Number.NEGATIVE_INFINITY;
    const hashed: Record<string, string> = {};
    await streamPackageArchives(packages, async (pkg, archive) => {
      const hash = createHash("sha256");
      for await (const chunk of archive.open()) {
        hash.update(chunk as Buffer);
        // A reader far slower than the tarball's read (a pause after each chunk): a pass that did
        // not wait for it would pile the archive up meanwhile, and hand it over in big chunks.
        await new Promise((resolve) => setTimeout(resolve, 5));
        peak = Math.max(peak, retained() - before);
      }
      hashed[pkg.name] = hash.digest("hex");
    });
    expect(hashed).toEqual(sha256);
    expect(peak).toBeLessThan(16 * MIB);
  });

  it("reads an archive again, whole, when it is opened a second time (an upload retried)", async () => {
    const { packages, sha256 } = await releaseTarball({ first: 3 * MIB, second: 2 * MIB });
    const hashed: Record<string, string> = {};
    await streamPackageArchives(packages, async (pkg, archive) => {
      // given: the first attempt gives up after one chunk
      const attempt = archive.open();
      for await (const _chunk of attempt) break;
      // when: the archive is opened again
      const hash = createHash("sha256");
      for await (const chunk of archive.open()) hash.update(chunk as Buffer);
      hashed[pkg.name] = hash.digest("hex");
    });
    expect(hashed).toEqual(sha256);
  });

  it("fails, rather than leaving the reader waiting, when the tarball ends inside an archive", async () => {
    const { tarball, packages } = await releaseTarball({ cut: 4 * MIB });
    truncateSync(tarball, Math.floor(statSync(tarball).size / 2));
    const read = streamPackageArchives(packages, async (_pkg, archive) => {
      for await (const _chunk of archive.open());
    });
    await expect(read).rejects.toThrow(/release\.tgz/);
  });

  it("says which archive release.MF lists and the tarball lacks", async () => {
    const { packages } = await releaseTarball({ here: 1024 });
    const [here] = packages as [PackageInTarball];
    const missing = { ...here, name: "gone", entry: "packages/gone.tgz" };
    await expect(streamPackageArchives([here, missing], async (_pkg, archive) => void archive.open().resume())).rejects.toMatchObject({
      code: "RELEASE_INVALID",
      message: expect.stringContaining("'packages/gone.tgz' is not in"),
    });
  });
});
