/**
 * Which tar entries an untrusted archive may hold, judged from the header alone (before any
 * byte is written). Only files, directories, symbolic links and hard links to a file the same
 * archive already wrote are allowed; paths must be relative and free of `..`.
 *
 * A symbolic link's target is checked lexically here, which is not enough on its own: a chain
 * of links that each look inside can lead outside (`a/b -> ..`, `c -> a/b/..`). The tree is
 * therefore checked again after extraction with every link really resolved
 * (check-extracted-tree.ts). Hard links are allowed because compiled packages made with GNU
 * tar keep them (git's libexec, for one); a hard link can only name a file of this archive.
 */
import { posix } from "node:path";

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

/** `./a/b`, `a/b/` and `a//b` all name `a/b`. */
export function normalizeEntryPath(path: string): string {
  return path
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}

export type EntryVerdict = { ok: true } | { ok: false; reason: string };

/** Remembers the files already written, for hard links; one per archive. */
export class EntryPolicy {
  private readonly files = new Set<string>();

  judge(path: string, type: string, linkpath: string | undefined): EntryVerdict {
    const reason = this.reason(path, type, linkpath ?? "");
    if (reason !== undefined) return { ok: false, reason };
    const name = normalizeEntryPath(path);
    // A later entry of the same name replaces the earlier one; only a file may be linked to.
    if (FILE_TYPES.has(type)) this.files.add(name);
    else this.files.delete(name);
    return { ok: true };
  }

  private reason(path: string, type: string, linkpath: string): string | undefined {
    const pathProblem = relativePathProblem(path);
    if (pathProblem !== undefined) return pathProblem;
    if (FILE_TYPES.has(type) || type === "Directory") return undefined;
    if (type === "SymbolicLink") {
      if (linkpath === "") return "symbolic link with an empty target";
      if (isAbsolute(linkpath)) return `symbolic link to the absolute path '${linkpath}'`;
      if (!staysInside(posix.join(posix.dirname(normalizeEntryPath(path)), linkpath))) return `symbolic link '${linkpath}' points outside the archive`;
      return undefined;
    }
    if (type === "Link") {
      if (isAbsolute(linkpath) || !staysInside(linkpath)) return `hard link to '${linkpath}', outside the archive`;
      if (!this.files.has(normalizeEntryPath(linkpath))) return `hard link to '${linkpath}', which is not a file written earlier by this archive`;
      return undefined;
    }
    if (type === "CharacterDevice" || type === "BlockDevice") return `device entry (${type}) is not allowed`;
    if (type === "FIFO") return "FIFO entry is not allowed";
    return `entry type ${type} is not allowed`;
  }
}

function relativePathProblem(path: string): string | undefined {
  if (path === "") return "empty path";
  if (path.includes("\0")) return "path contains a NUL byte";
  if (isAbsolute(path)) return "absolute path";
  if (path.split(/[\\/]/).includes("..")) return "path contains '..'";
  return undefined;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path);
}

function staysInside(relative: string): boolean {
  const normalized = posix.normalize(relative);
  return normalized !== ".." && !normalized.startsWith("../") && !normalized.startsWith("/");
}
