import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractTarballSafely } from "../../src/artefacts/safe-extract.js";
import { rawTarball, type RawEntry } from "../director-release/release-fixtures.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "safe-extract-"));
});

function tarball(entries: RawEntry[]): string {
  const path = join(root, "archive.tgz");
  writeFileSync(path, rawTarball(entries));
  return path;
}

describe("extractTarballSafely", () => {
  it("extracts files, directories and links that stay inside", async () => {
    const archive = tarball([
      { path: "./dir/", type: "5" },
      { path: "./dir/file.txt", content: "hello" },
      { path: "./dir/link", type: "2", linkpath: "../top.txt" },
      { path: "./top.txt", content: "top" },
      { path: "./hard", type: "1", linkpath: "top.txt" },
    ]);
    const target = join(root, "out");
    await extractTarballSafely(archive, target, "RELEASE_INVALID");
    expect(readFileSync(join(target, "dir/file.txt"), "utf8")).toBe("hello");
    expect(readlinkSync(join(target, "dir/link"))).toBe("../top.txt");
    expect(readFileSync(join(target, "hard"), "utf8")).toBe("top");
  });

  it.each<[string, RawEntry]>([
    ["a '..' path", { path: "../escape.txt", content: "x" }],
    ["a nested '..' path", { path: "a/../../escape.txt", content: "x" }],
    ["an absolute path", { path: "/tmp/escape.txt", content: "x" }],
    ["a symlink out of the directory", { path: "sub/link", type: "2", linkpath: "../../etc" }],
    ["an absolute symlink", { path: "link", type: "2", linkpath: "/etc/passwd" }],
    ["a hard link out of the directory", { path: "hard", type: "1", linkpath: "../outside" }],
    ["a character device", { path: "dev", type: "3" }],
  ])("refuses %s with UNSAFE_ARCHIVE and leaves nothing behind", async (_what, bad) => {
    const archive = tarball([{ path: "ok.txt", content: "fine" }, bad]);
    const target = join(root, "out");
    const error = await extractTarballSafely(archive, target, "RELEASE_INVALID").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNSAFE_ARCHIVE" });
    expect((error as { details: string[] }).details[0]).toContain(bad.path);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(root, "escape.txt"))).toBe(false);
  });

  it("removes what it extracted from a truncated tarball", async () => {
    const whole = rawTarball([{ path: "a.txt", content: "a".repeat(100_000) }, { path: "b.txt", content: "b" }]);
    const path = join(root, "cut.tgz");
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const target = join(root, "out");
    await expect(extractTarballSafely(path, target, "RELEASE_INVALID")).rejects.toMatchObject({ code: "RELEASE_INVALID" });
    expect(existsSync(target)).toBe(false);
  });

  it("reports a file that is not a tarball with the given code", async () => {
    const path = join(root, "junk.tgz");
    writeFileSync(path, "this is not gzip at all, just text that goes on for a while ".repeat(20));
    await expect(extractTarballSafely(path, join(root, "out"), "STEMCELL_INVALID")).rejects.toMatchObject({ code: "STEMCELL_INVALID" });
  });

  it("stops at a signal with the signal's reason, and removes what it extracted", async () => {
    const archive = tarball(Array.from({ length: 50 }, (_, i) => ({ path: `f${i}.bin`, content: String(i).repeat(20_000) })));
    const target = join(root, "out");
    const reason = Object.assign(new Error("Interrupted by SIGINT"), { code: "INTERRUPTED" });
    const controller = new AbortController();
    controller.abort(reason);
    await expect(extractTarballSafely(archive, target, "STEMCELL_INVALID", { signal: controller.signal })).rejects.toBe(reason);
    expect(existsSync(target)).toBe(false);
  });
});
