/**
 * The CPI call journal (`<state>.cpi-journal/`): before a call that creates or deletes something
 * starts, an intent record is written; the CPI writes its response to a file, detached from us,
 * so the call completes even if we are killed. recoverPendingCalls, run first by the next run,
 * waits for such calls and hands back what they did, so no VM, disk or stemcell goes unrecorded.
 */
import { mkdir, open, readFile, readdir, readlink, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BootstrapError, redact, writeFileAtomic } from "../common/index.js";
import type { Logger } from "../common/index.js";

export interface JournalRecord {
  version: 1;
  request_id: string;
  method: string;
  /** Redacted: for reporting only. What a recovery acts on is `tag` and the response. */
  arguments: unknown[];
  tag?: Record<string, unknown>;
  api_version: number;
  cpi_path: string;
  started_at: string;
  /** Absent until the process exists. */
  pid?: number;
  /** /proc start time of pid, so a recycled pid is not mistaken for our CPI. */
  pid_start?: string;
}

export interface JournalFiles {
  record: string;
  stdout: string;
  stderr: string;
}

function journalFiles(journalDir: string, requestId: string): JournalFiles {
  return {
    record: join(journalDir, `${requestId}.json`),
    stdout: join(journalDir, `${requestId}.out`),
    stderr: join(journalDir, `${requestId}.err`),
  };
}

export async function writeIntent(journalDir: string, record: JournalRecord): Promise<JournalFiles> {
  await mkdir(journalDir, { recursive: true, mode: 0o700 });
  const files = journalFiles(journalDir, record.request_id);
  await writeRecord(files.record, record);
  return files;
}

export async function writeRecord(path: string, record: JournalRecord): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  } catch (error) {
    throw new BootstrapError("STATE_WRITE_FAILED", `Cannot write the CPI journal entry ${path}: ${(error as Error).message}`, {
      hint: "Free disk space or fix the permissions of the state file's directory, then run the same command again.",
      cause: error,
    });
  }
}

/** Open the files the CPI will write to; the caller closes its copies once the child has them. */
export async function openOutputs(files: JournalFiles): Promise<{ stdout: number; stderr: number; close(): Promise<void> }> {
  const openOne = (path: string) =>
    open(path, "w", 0o600).catch((error: unknown) => {
      throw new BootstrapError("STATE_WRITE_FAILED", `Cannot create the CPI output file ${path}: ${(error as Error).message}`, {
        hint: "Free disk space or fix the permissions of the state file's directory, then run the same command again.",
        cause: error,
      });
    });
  const stdout = await openOne(files.stdout);
  const stderr = await openOne(files.stderr).catch(async (error: unknown) => {
    await stdout.close();
    throw error;
  });
  return {
    stdout: stdout.fd,
    stderr: stderr.fd,
    async close() {
      await Promise.all([stdout.close(), stderr.close()]);
    },
  };
}

/** The record goes first: once it is gone, the leftover output files mean nothing. */
export async function forget(files: JournalFiles): Promise<void> {
  await rm(files.record, { force: true });
  await Promise.all([rm(files.stdout, { force: true }), rm(files.stderr, { force: true })]);
}

export async function readOutputs(files: JournalFiles): Promise<{ stdout: string; stderr: string }> {
  const read = (path: string) => readFile(path, "utf8").catch(() => "");
  return { stdout: await read(files.stdout), stderr: await read(files.stderr) };
}

export function redactArguments(args: unknown[]): unknown[] {
  try {
    const parsed: unknown = JSON.parse(redact(JSON.stringify(args)));
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // redaction broke the JSON: keep nothing rather than something unredacted
  }
  return ["<redacted>"];
}

/**
 * Fields 3 and 22 of /proc/<pid>/stat: the state letter and the start time (clock ticks since
 * boot). undefined when there is no such process.
 */
export function processStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", start: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

export async function isRunning(record: JournalRecord, stdoutFile: string): Promise<boolean> {
  if (record.pid !== undefined) {
    const stat = processStat(record.pid);
    // A zombie has finished; only its parent has not collected it yet.
    if (stat === undefined || stat.state === "Z") return false;
    return record.pid_start === undefined || stat.start === record.pid_start;
  }
  // Killed between starting the CPI and recording its pid: whoever still writes the response file is it.
  return someProcessHasOpen(stdoutFile);
}

async function someProcessHasOpen(file: string): Promise<boolean> {
  const pids = await readdir("/proc").catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")) === file) return true;
    }
  }
  return false;
}

export async function listRecords(journalDir: string, logger: Logger): Promise<{ record: JournalRecord; files: JournalFiles }[]> {
  let names: string[];
  try {
    names = await readdir(journalDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: { record: JournalRecord; files: JournalFiles }[] = [];
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const requestId = name.slice(0, -".json".length);
    const files = journalFiles(journalDir, requestId);
    const record = parseRecord(await readFile(files.record, "utf8").catch(() => ""));
    if (record === undefined) {
      // Records are written atomically, so this is not ours: leave it for a human.
      logger.warn(`ignoring unreadable CPI journal entry ${files.record}`);
      continue;
    }
    entries.push({ record, files });
  }
  await removeOrphanOutputs(journalDir, names);
  return entries.sort((a, b) => a.record.started_at.localeCompare(b.record.started_at));
}

/** Output files whose record is gone: a run died between forgetting a call and deleting them. */
async function removeOrphanOutputs(journalDir: string, names: string[]): Promise<void> {
  const records = new Set(names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5)));
  for (const name of names) {
    const match = /^(.*)\.(out|err)$/.exec(name);
    if (match !== null && !records.has(match[1]!)) await rm(join(journalDir, name), { force: true });
  }
}

function parseRecord(text: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<JournalRecord>;
    if (value.version === 1 && typeof value.request_id === "string" && typeof value.method === "string") {
      return value as JournalRecord;
    }
  } catch {
    // falls through
  }
  return undefined;
}
