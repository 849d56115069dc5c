/**
 * Failing-job diagnostics: the tail of every non-empty job log on the VM (fetch_logs "job",
 * downloaded over /blobs), as lines to put under an error. Never throws: what cannot be fetched
 * becomes one line saying what and why, so the job's own failure is still what is reported.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { BlobNotFoundError } from "../agent-client/index.js";
import { messageOf } from "../common/index.js";
import type { AgentPort } from "./ports.js";

const TAIL_LINES = 25;

export async function jobLogTails(agent: Pick<AgentPort, "fetchLogs" | "downloadBlob">, workDir: string): Promise<string[]> {
  return tailJobLogs(agent, workDir).catch((error: unknown) => [`(could not fetch the job logs: ${whyNot(error)})`]);
}

function whyNot(error: unknown): string {
  if (error instanceof BlobNotFoundError) {
    return (
      "the agent put its fetch_logs tarball into its blobstore, which it does not serve over /blobs (GET answered 404); " +
      "read them on the VM under /var/vcap/sys/log"
    );
  }
  return messageOf(error);
}

async function tailJobLogs(agent: Pick<AgentPort, "fetchLogs" | "downloadBlob">, workDir: string): Promise<string[]> {
  const dir = await mkdtemp(join(workDir, "logs-"));
  try {
    const blob = await agent.fetchLogs("job", []);
    const archive = join(dir, "logs.tgz");
    await agent.downloadBlob(blob.blobstoreId, archive);
    const out = join(dir, "x");
    await mkdir(out);
    // tar is loaded only when logs are fetched (see artefacts/tarball-scan.ts).
    const { x: extractTar } = await import("tar");
    await extractTar({ file: archive, cwd: out, strict: true });
    const lines: string[] = [];
    for (const file of await listFiles(out)) {
      const text = (await readFile(file, "utf8")).trimEnd();
      if (text === "") continue;
      lines.push(`==> ${relative(out, file)} <==`);
      lines.push(...text.split("\n").slice(-TAIL_LINES).map((l) => `    ${l}`));
    }
    return lines;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    const path = join(dir, entry);
    const s = await stat(path);
    if (s.isDirectory()) files.push(...(await listFiles(path)));
    else if (s.isFile() && entry.endsWith(".log")) files.push(path);
  }
  return files;
}
