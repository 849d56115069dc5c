/**
 * fetch_logs: a gzip tarball of the requested log directories into the configured blobstore
 * (a client can GET it from /blobs/<id> only when that is data/blobs, see blobstore.ts).
 * Types: `job` = sys/log, `agent` = bosh/log, `system` = /var/log. Filters are globs relative
 * to each directory (`**` any depth, `*` within a name); none means everything.
 */
import { randomUUID } from "node:crypto";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Blobstore } from "./blobstore.js";
import type { AgentPaths } from "./paths.js";
import { runChecked } from "./run-command.js";

export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? "";
    if (c === "*" && glob[i + 1] === "*") {
      source += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

export async function fetchLogs(paths: AgentPaths, blobstore: Blobstore, logTypes: string, filters: string[]): Promise<{ blobstore_id: string; sha1: string }> {
  const dirs: Record<string, string> = { job: paths.sysLogDir, agent: join(paths.boshDir, "log"), system: "/var/log" };
  const matchers = (filters.length > 0 ? filters : ["**/*"]).map(globToRegExp);
  const list: string[] = [];
  for (const type of logTypes.split(",").map((t) => t.trim()).filter((t) => t !== "")) {
    const dir = dirs[type];
    if (dir === undefined) throw new Error(`Invalid log type '${type}': use job, agent or system`);
    const files = (await listFiles(dir)).filter((f) => matchers.some((m) => m.test(f)));
    if (files.length > 0) list.push(`-C ${dir}`, ...files);
  }
  const listFile = join(paths.tmpDir, `logs-${randomUUID()}.list`);
  const tarball = join(paths.tmpDir, `logs-${randomUUID()}.tgz`);
  // GNU tar obeys "-C <dir>" lines in a file list, which keeps long lists off the command line.
  await writeFile(listFile, list.join("\n") + "\n");
  try {
    await runChecked("tar", ["-czf", tarball, "--files-from", listFile]);
  } finally {
    await rm(listFile, { force: true });
  }
  const created = await blobstore.create(tarball);
  return { blobstore_id: created.blobstoreId, sha1: created.sha1 };
}
