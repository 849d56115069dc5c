/**
 * archiveRenderedJobs: the rendered-templates archive the agent installs on `apply`
 * (agent protocol ref §2.4): a gzip tarball with one top-level directory per job, named as the
 * job, holding its rendered files. Deterministic: entries sorted, fixed owner and mtime, gzip
 * header without a timestamp — the same jobs give the same bytes, hence the same digests.
 * Written atomically; returns the archive's sha1 and sha256 (hex).
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { BootstrapError, writeFileAtomic } from "../../common/index.js";
import { isSafeRelativePath } from "./render-jobs.js";
import { tarBytes, type TarEntry } from "./tar-writer.js";
import type { RenderedJob } from "./types.js";

export async function archiveRenderedJobs(jobs: RenderedJob[], outPath: string): Promise<{ sha1: string; sha256: string }> {
  const archive = gzipSync(tarBytes(archiveEntries(jobs)), { level: 9 });
  await writeFileAtomic(outPath, archive, 0o644);
  return {
    sha1: createHash("sha1").update(archive).digest("hex"),
    sha256: createHash("sha256").update(archive).digest("hex"),
  };
}

/** Sorted entries with every parent directory listed before its contents. Pure. */
function archiveEntries(jobs: RenderedJob[]): TarEntry[] {
  const files = new Map<string, TarEntry>();
  const dirs = new Set<string>();
  for (const job of jobs) {
    if (!isSafeRelativePath(job.name) || job.name.includes("/")) invalid(`job name '${job.name}' is not a plain directory name`);
    if (dirs.has(`${job.name}/`)) invalid(`job '${job.name}' appears twice`);
    dirs.add(`${job.name}/`);
    for (const file of job.files) {
      if (!isSafeRelativePath(file.path)) invalid(`job '${job.name}' has an unsafe file path '${file.path}'`);
      const path = `${job.name}/${file.path}`;
      if (files.has(path)) invalid(`job '${job.name}' renders '${file.path}' twice`);
      files.set(path, { path, mode: file.mode, content: file.content });
      const segments = path.split("/");
      for (let i = 1; i < segments.length; i++) dirs.add(`${segments.slice(0, i).join("/")}/`);
    }
  }
  const entries: TarEntry[] = [...dirs].map((path) => ({ path, mode: 0o755 }));
  entries.push(...files.values());
  // Byte order of paths: a directory "a/" sorts before "a/x", so parents always come first.
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function invalid(what: string): never {
  throw new BootstrapError("TEMPLATE_RENDER_FAILED", `Cannot archive rendered jobs: ${what}`, {
    hint: "Each job must render each destination path once; check the templates section of the job's job.MF.",
  });
}
