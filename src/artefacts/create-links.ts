/**
 * Creates an archive's symbolic links after all of its files and directories are written, in
 * archive order. Deferring them means no entry can ever be written through a link the archive
 * made, whatever the order of its entries; it also spares node-tar's own rule that a link may
 * not point through another link, which refuses the ordinary `libfoo.so -> libfoo.so.1 ->
 * libfoo.so.1.2` chains of compiled packages depending only on the order tar wrote them in.
 * Where a link leads is checked afterwards, once all exist (check-extracted-tree.ts).
 * Returns one line per link that could not be placed safely.
 */
import { lstat, mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";

/** `links`: normalized entry path → link target, in archive order. */
export async function createLinks(root: string, links: ReadonlyMap<string, string>): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, target] of links) {
    const problem = await createLink(root, path, target);
    if (problem !== undefined) problems.push(`${path}: ${problem}`);
  }
  return problems;
}

async function createLink(root: string, path: string, target: string): Promise<string | undefined> {
  const parts = path.split("/");
  const name = parts.pop() as string;
  let dir = root;
  for (const part of parts) {
    dir = join(dir, part);
    const info = await lstat(dir).catch(() => undefined);
    if (info === undefined) await mkdir(dir);
    else if (info.isSymbolicLink()) return `would be created through the symbolic link '${part}'`;
    else if (!info.isDirectory()) return `would be created under '${part}', which is not a directory`;
  }
  const full = join(dir, name);
  const existing = await lstat(full).catch(() => undefined);
  if (existing?.isDirectory() === true) return "is both a directory and a symbolic link in the archive";
  // A later entry of the same name replaces an earlier one, as tar does.
  if (existing !== undefined) await rm(full);
  await symlink(target, full);
  return undefined;
}
