/** Builds gzip tarballs from inline file trees for the agent tests (GNU tar, like a release build). */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** files: relative path → content; paths under bin/ or named packaging/*.sh are made executable. */
export async function makeTarball(out: string, files: Record<string, string>): Promise<{ sha1: string; sha256: string }> {
  const dir = await mkdtemp(join(tmpdir(), "agent-tarball-"));
  try {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
      if (/(^|\/)bin\/|\.sh$/.test(path)) await chmod(full, 0o755);
    }
    execFileSync("tar", ["-czf", out, "-C", dir, "."]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return digests(out);
}

export async function digests(file: string): Promise<{ sha1: string; sha256: string }> {
  const data = await readFile(file);
  return { sha1: createHash("sha1").update(data).digest("hex"), sha256: createHash("sha256").update(data).digest("hex") };
}
