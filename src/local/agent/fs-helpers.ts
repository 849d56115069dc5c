/**
 * File-system steps shared by apply and compile: extracting a blob (GNU tar detects gzip itself
 * and refuses `..` members), swapping a symlink atomically, and emptying a directory.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runChecked } from "./run-command.js";

export async function extractTarball(archive: string, intoDir: string): Promise<void> {
  await mkdir(intoDir, { recursive: true });
  await runChecked("tar", ["--no-same-owner", "-xf", archive, "-C", intoDir]);
}

/** Points `link` at `target`, replacing what was there in one rename. */
export async function replaceSymlink(target: string, link: string): Promise<void> {
  await mkdir(dirname(link), { recursive: true });
  const temp = `${link}.${randomUUID()}.tmp`;
  await symlink(target, temp);
  await rename(temp, link);
}

/** Removes every entry of `dir` except the names in `keep`. */
export async function removeEntriesExcept(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
