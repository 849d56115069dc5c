/**
 * Checks a freshly extracted tree as the kernel will see it, not as the tar headers described
 * it: every symbolic link is resolved (realpath, following whole chains) and must end inside
 * the tree; a dangling link is resolved as far as it goes and must point inside too, so a later
 * write through it cannot land outside. Every regular file's link count must be explained by
 * names inside the tree (a hard link shared with a file outside is refused), and nothing but
 * files, directories and links may exist. Returns one line per problem, empty when all is well.
 */
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";

const MAX_LINK_HOPS = 40;

export async function checkExtractedTree(root: string): Promise<string[]> {
  const realRoot = await realpath(root);
  const problems: string[] = [];
  const inodes = new Map<string, { path: string; nlink: number; seen: number }>();
  const pending = [realRoot];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const where = relative(realRoot, path);
      const info = await lstat(path);
      if (info.isDirectory()) pending.push(path);
      else if (info.isSymbolicLink()) {
        const problem = await linkProblem(realRoot, path);
        if (problem !== undefined) problems.push(`${where}: ${problem}`);
      } else if (info.isFile()) {
        if (info.nlink > 1) {
          const key = `${info.dev}:${info.ino}`;
          const known = inodes.get(key) ?? { path: where, nlink: info.nlink, seen: 0 };
          known.seen += 1;
          inodes.set(key, known);
        }
      } else problems.push(`${where}: is neither a file, a directory nor a symbolic link`);
    }
  }
  for (const { path, nlink, seen } of inodes.values()) {
    if (seen < nlink) problems.push(`${path}: is hard-linked to a file outside the archive (${nlink} links, ${seen} inside)`);
  }
  return problems;
}

async function linkProblem(realRoot: string, link: string): Promise<string | undefined> {
  const target = await readlink(link);
  let resolved: string;
  try {
    resolved = await realpath(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return `symbolic link '${target}' loops`;
    if (code !== "ENOENT") throw error;
    const dangling = await resolveDangling(link);
    if (dangling === undefined) return `symbolic link '${target}' loops`;
    resolved = dangling;
  }
  if (isInside(realRoot, resolved)) return undefined;
  return `symbolic link '${target}' resolves to '${resolved}', outside the archive`;
}

/**
 * Where a link whose end does not exist leads: components are followed one by one (links
 * included) until one is missing; the rest is taken as written. Undefined on a loop.
 */
async function resolveDangling(link: string): Promise<string | undefined> {
  let done = "/";
  const todo = link.split("/").filter((p) => p !== "");
  for (let hops = 0; todo.length > 0; ) {
    const part = todo.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      done = posix.dirname(done);
      continue;
    }
    const next = posix.join(done, part);
    const info = await lstat(next).catch(() => undefined);
    if (info === undefined) return posix.resolve(next, ...todo);
    if (info.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) return undefined;
      const target = await readlink(next);
      todo.unshift(...target.split("/").filter((p) => p !== ""));
      if (target.startsWith("/")) done = "/";
      continue;
    }
    done = next;
  }
  return done;
}

export function isInside(realRoot: string, path: string): boolean {
  return path === realRoot || path.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}
