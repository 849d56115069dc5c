/**
 * extractTarballSafely against the hostile corpus (hostile-tarballs.ts): every case is refused
 * with its code, names the tarball, leaves no target directory behind and reaches nothing
 * outside; tar bombs stop at the limits. Real artefacts' shapes (links that stay inside, library
 * link chains, hard links inside compiled packages, a big sparse stemcell image) still extract.
 */
import { randomFillSync } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExtractLimits } from "../../src/artefacts/extract-limits.js";
import { extractTarballSafely } from "../../src/artefacts/safe-extract.js";
import { bigFileTarball, gzipTar, hostileCorpus, tarStream, type HeaderSpec } from "./hostile-tarballs.js";

const SECRET = "operator-secret.txt";
const MiB = 1024 ** 2;

let root: string;
let target: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "hostile-tar-"));
  target = join(root, "out");
  writeFileSync(join(root, SECRET), "the operator's secret");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): string {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
}

async function extract(tarball: string, limits?: ExtractLimits): Promise<unknown> {
  return extractTarballSafely(tarball, target, "RELEASE_INVALID", limits === undefined ? {} : { limits }).then(
    () => "extracted",
    (e: unknown) => e,
  );
}

describe("the hostile corpus", () => {
  it.each(hostileCorpus(SECRET).map((c) => [`${c.class}: ${c.name}`, c] as const))("refuses %s", async (_name, hostile) => {
    const tarball = write("hostile.tgz", gzipTar(hostile.entries));
    // when
    const outcome = await extract(tarball);
    // then: refused with its code, naming the tarball, and nothing of it kept
    const leaked = hostile.leak !== undefined && existsSync(join(target, hostile.leak)) ? readFileSync(join(target, hostile.leak), "utf8").slice(0, 40) : undefined;
    expect({ outcome, leaked }).toMatchObject({ outcome: { code: hostile.code, message: expect.stringContaining(tarball) }, leaked: undefined });
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(["hostile.tgz", SECRET]);
    expect(existsSync("/abs/evil")).toBe(false);
  });

  it("names the offending entry and what is wrong with it", async () => {
    const tarball = write("chain.tgz", gzipTar([{ path: "a/b", type: "2", linkpath: ".." }, { path: "up", type: "2", linkpath: "a/b/.." }]));
    const error = (await extract(tarball)) as { message: string; details: string[]; hint: string };
    expect(error.message).toContain("up: symbolic link 'a/b/..' resolves to");
    expect(error.message).toContain("outside the archive");
    expect(error.hint).toContain("sources you trust");
  });

  it("does not create a link's target directory outside while refusing it", async () => {
    const tarball = write("drop.tgz", gzipTar([{ path: "a/b", type: "2", linkpath: ".." }, { path: "up", type: "2", linkpath: "a/b/.." }, { path: "up/planted/x", content: "x" }]));
    expect(await extract(tarball)).toMatchObject({ code: "UNSAFE_ARCHIVE" });
    expect(existsSync(join(root, "planted"))).toBe(false);
  });

  it("refuses to extract into a directory that is itself a symbolic link", async () => {
    const tarball = write("ok.tgz", gzipTar([{ path: "f.txt", content: "x" }]));
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, target);
    expect(await extract(tarball)).toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("is a symbolic link") });
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe("tar bombs", () => {
  const small: ExtractLimits = { maxBytes: 4 * MiB, maxRatio: 200, ratioFreeBytes: 1 * MiB };

  it("refuses entries whose declared sizes add up past the size limit, before writing them", async () => {
    // random bytes: incompressible, so only the declared sizes can trip the limit
    const part = (n: number): HeaderSpec => ({ path: `part${n}.bin`, content: randomFillSync(Buffer.alloc(2 * MiB)) });
    const tarball = write("parts.tgz", gzipTar([part(1), part(2), part(3)]));
    // 4 MiB of the 5 MiB allowed came through; part3's header would make it 6 MiB
    const error = (await extract(tarball, { ...small, maxBytes: 5 * MiB })) as { code: string; message: string; hint: string };
    expect(error).toMatchObject({ code: "ARCHIVE_TOO_LARGE", message: expect.stringContaining("entry 'part3.bin': it brings the declared total to 6.0 MiB") });
    expect(error.message).toContain(tarball);
    expect(error.hint).toContain("BOOTSTRAP_EXTRACT_MAX_BYTES=");
    expect(existsSync(target)).toBe(false);
  });

  it("stops a gzip bomb of zeros at the ratio limit once past the free threshold", async () => {
    // 64 MiB of zeros in ~64 KiB: ~1000:1
    const tarball = write("zeros.tgz", bigFileTarball([], "zeros.img", Buffer.alloc(8 * MiB), 8, 9));
    const error = (await extract(tarball, { ...small, maxBytes: 1024 * MiB })) as { code: string; message: string; hint: string };
    expect(error).toMatchObject({ code: "ARCHIVE_TOO_LARGE", message: expect.stringContaining("entry 'zeros.img'") });
    expect(error.message).toMatch(/expands \d+ times/);
    expect(error.hint).toContain("BOOTSTRAP_EXTRACT_MAX_RATIO=");
    expect(existsSync(target)).toBe(false);
  });

  // The next two write a GiB each (seconds): the default limits are only meaningful at full size.
  it("stops a 1.5 GiB bomb under the default limits after the first GiB (~230:1, under node-tar's own 1000:1)", async () => {
    const tarball = write("bomb.tgz", bigFileTarball([{ path: "stemcell.MF", content: "name: x\n" }], "image", Buffer.alloc(64 * MiB), 24, 1));
    expect(statSync(tarball).size).toBeLessThan(10 * MiB);
    const error = await extract(tarball);
    expect(error).toMatchObject({ code: "ARCHIVE_TOO_LARGE", message: expect.stringContaining("entry 'image'") });
    expect(existsSync(target)).toBe(false);
  });

  // 1.06 GiB is past the default 1 GiB threshold, so the ratio is checked, and passes.
  it("lets a big, well-compressed stemcell image through under the default limits (1.06 GiB at ~185:1)", async () => {
    // a sparse disk image: 1 KiB of data every 256 KiB, the rest zeros
    const chunk = Buffer.alloc(64 * MiB);
    for (let i = 0; i < chunk.length; i += 256 * 1024) randomFillSync(chunk, i, 1024);
    const tarball = write("stemcell.tgz", bigFileTarball([{ path: "stemcell.MF", content: "name: x\n" }], "image", chunk, 17, 6));
    expect(await extract(tarball)).toBe("extracted");
    expect(statSync(join(target, "image")).size).toBe(17 * 64 * MiB);
  });
});

describe("real artefacts' shapes", () => {
  it("extracts a package tree whose links stay inside, library link chains included, in any order", async () => {
    const tarball = write("pkg.tgz", gzipTar([
      { path: "lib/libssl.so.3.0.2", content: "elf" },
      { path: "lib/libssl.so.3", type: "2", linkpath: "libssl.so.3.0.2" },
      { path: "lib/libssl.so", type: "2", linkpath: "libssl.so.3" },
      { path: "bin/tool", type: "2", linkpath: "../lib/libssl.so" },
      { path: "current", type: "2", linkpath: "lib" },
      { path: "dangling", type: "2", linkpath: "lib/not-built-yet" },
      { path: "src/README", content: "readme" },
      { path: "README", type: "1", linkpath: "src/README" },
    ]));
    expect(await extract(tarball)).toBe("extracted");
    expect(readFileSync(join(target, "bin/tool"), "utf8")).toBe("elf");
    expect(readlinkSync(join(target, "lib/libssl.so"))).toBe("libssl.so.3");
    expect(lstatSync(join(target, "dangling")).isSymbolicLink()).toBe(true);
    expect(statSync(join(target, "README")).nlink).toBe(2);
  });

  it("keeps the later of two entries with the same name, as tar does", async () => {
    const tarball = write("dup.tgz", gzipTar([
      { path: "f", content: "first" },
      { path: "f", type: "2", linkpath: "g" },
      { path: "g", content: "g" },
      { path: "h", type: "2", linkpath: "g" },
      { path: "h", content: "last" },
    ]));
    expect(await extract(tarball)).toBe("extracted");
    expect(readlinkSync(join(target, "f"))).toBe("g");
    expect(readFileSync(join(target, "h"), "utf8")).toBe("last");
  });

  it("extracts an uncompressed tarball too", async () => {
    const tarball = write("plain.tar", tarStream([{ path: "a.txt", content: "a" }]));
    expect(await extract(tarball)).toBe("extracted");
    expect(readFileSync(join(target, "a.txt"), "utf8")).toBe("a");
  });
});
