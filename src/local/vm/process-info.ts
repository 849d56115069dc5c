/**
 * Facts about host processes read from /proc. A pid alone can be reused after a crash, so a
 * VM process is identified by pid + start time (field 22 of /proc/<pid>/stat).
 */
import { readFile, readdir, readlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { dirChanges } from "./dir-changes.js";

export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/** Start time in clock ticks since boot, or undefined when no such process exists. */
export async function startTimeOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return parseStat(stat)?.startTime;
  } catch {
    return undefined;
  }
}

/** Fields after the command name, which may itself contain spaces and parentheses. */
export function parseStat(stat: string): { state: string; startTime: string } | undefined {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  const state = rest[0];
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

/** True while the process runs (a zombie is dead: it only waits to be reaped). */
export async function isRunning(id: ProcessIdentity): Promise<boolean> {
  try {
    const parsed = parseStat(await readFile(`/proc/${id.pid}/stat`, "utf8"));
    return parsed !== undefined && parsed.startTime === id.startTime && parsed.state !== "Z" && parsed.state !== "X";
  } catch {
    return false;
  }
}

/** True while some process has this pid and is not a zombie. */
export async function isLivePid(pid: number): Promise<boolean> {
  try {
    const state = parseStat(await readFile(`/proc/${pid}/stat`, "utf8"))?.state;
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8");
    return text.trim() === "" ? [] : text.trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/**
 * Polls until `check` holds or the deadline passes; returns whether it held. With `watchDir`,
 * a change in that directory checks at once (a marker file written there counts when it is
 * written, not up to a poll interval later).
 */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 25, watchDir?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const changes = watchDir === undefined ? undefined : dirChanges(watchDir);
  try {
    for (;;) {
      if (await check()) return true;
      if (Date.now() >= deadline) return false;
      await (changes === undefined ? sleep(intervalMs) : changes.next(intervalMs));
    }
  } finally {
    changes?.close();
  }
}

/** The pid namespace of a process, e.g. "pid:[4026532201]" (undefined once it is gone). */
export async function pidNamespaceOf(pid: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Host pids of every process living in the given pid namespace. */
export async function pidsInNamespace(namespace: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if ((await pidNamespaceOf(Number(entry))) === namespace) found.push(Number(entry));
  }
  return found;
}
