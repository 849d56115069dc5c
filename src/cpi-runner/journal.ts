/**
 * The CPI call journal (`<state>.cpi-journal/`): before a call that creates or deletes something
 * starts, an intent record is written; the CPI writes its response to a file, detached from us,
 * so the call completes even if we are killed. recoverPendingCalls, run first by the next run,
 * waits for such calls and hands back what they did, so no VM, disk or stemcell goes unrecorded.
 *
 * A record lives through two phases, and is forgotten only when its outcome is safe elsewhere:
 *   1. intent → the CPI's pid is recorded → only then does the CPI get its request (so a record
 *      without a pid is a call the CPI never received, whatever else happened);
 *   2. response read → the caller records the outcome in the state file (fsync'd) → forget.
 * Forgotten early only when nothing can have been made: the CPI answered with an error, or was
 * never started, or never got its request. A call without a usable answer (killed, timed out,
 * garbled, a full disk) is kept, and every later run reports it as lost until someone checks.
 * The response file's space is written before the CPI starts, so on a full disk (not a
 * copy-on-write one) the CPI's answer still fits: one that outgrows it may be lost, and is then
 * reported as such.
 */
import { mkdir, open, readFile, readdir, readlink, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BootstrapError, redact, writeFileAtomic } from "../common/index.js";
import type { Logger } from "../common/index.js";

export interface JournalRecord {
  /** 2: the request was sent only after the pid was recorded. 1 (earlier runs): no such promise. */
  version: 1 | 2;
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

/** Space written ahead into the response file: a CPI's answer (with its log) fits in it on a full disk. */
export const RESPONSE_RESERVE_BYTES = 64 * 1024;

/**
 * Open the files the CPI will write to; the caller closes its copies once the child has them.
 * The response file is filled with blanks first (written at an offset, so the CPI still writes
 * from the start): the CPI's answer overwrites blocks that are already the file's, and the
 * trailing blanks are whitespace to the JSON decoder.
 */
export async function openOutputs(files: JournalFiles): Promise<{ stdout: number; stderr: number; close(): Promise<void> }> {
  const cannot = (path: string, error: unknown) =>
    new BootstrapError("STATE_WRITE_FAILED", `Cannot create the CPI output file ${path}: ${(error as Error).message}`, {
      hint: "Free disk space or fix the permissions of the state file's directory, then run the same command again.",
      cause: error,
    });
  const openOne = (path: string) =>
    open(path, "w", 0o600).catch((error: unknown) => {
      throw cannot(path, error);
    });
  const stdout = await openOne(files.stdout);
  try {
    await stdout.write(Buffer.alloc(RESPONSE_RESERVE_BYTES, " "), 0, RESPONSE_RESERVE_BYTES, 0);
    await stdout.datasync();
  } catch (error) {
    await stdout.close();
    throw cannot(files.stdout, error);
  }
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

/** The CPI's outputs, without what is left of the response file's reserve. */
export async function readOutputs(files: JournalFiles): Promise<{ stdout: string; stderr: string }> {
  const read = (path: string) => readFile(path, "utf8").catch(() => "");
  return { stdout: (await read(files.stdout)).replace(/ +$/, ""), stderr: await read(files.stderr) };
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

/** Whether the CPI got its request: always once its pid is recorded; for an earlier run's record, maybe. */
export function requestMayHaveBeenSent(record: JournalRecord): boolean {
  return record.pid !== undefined || record.version === 1;
}

export async function isRunning(record: JournalRecord, stdoutFile: string): Promise<boolean> {
  if (record.pid !== undefined) {
    const stat = processStat(record.pid);
    // A zombie has finished; only its parent has not collected it yet.
    if (stat === undefined || stat.state === "Z") return false;
    return record.pid_start === undefined || stat.start === record.pid_start;
  }
  if (record.version !== 1) return false; // it never got its request: whatever runs cannot act
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
    if ((value.version === 1 || value.version === 2) && typeof value.request_id === "string" && typeof value.method === "string") {
      return value as JournalRecord;
    }
  } catch {
    // falls through
  }
  return undefined;
}
