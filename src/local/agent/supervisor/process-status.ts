/**
 * Is the process named by a pidfile alive? Read from /proc so that zombies (dead but not yet
 * reaped, which kill(pid, 0) reports as alive) count as dead, and so the supervisor can report
 * uptime, memory and CPU like monit does.
 */
import { readFile } from "node:fs/promises";

/** USER_HZ and page size of the Linux configurations stemcells run on (x86_64, arm64 4K). */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcessSample {
  pid: number;
  startTicks: number;
  rssKb: number;
  cpuTicks: number;
}

export async function readPidfile(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** undefined when the process does not exist or is a zombie. */
export async function sampleProcess(pid: number): Promise<ProcessSample | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  const num = (index: number): number => Number(fields[index] ?? 0);
  return { pid, startTicks: num(19), rssKb: (num(21) * PAGE_SIZE) / 1024, cpuTicks: num(11) + num(12) };
}

export async function systemUptimeSeconds(): Promise<number> {
  const text = await readFile("/proc/uptime", "utf8").catch(() => "0");
  return Number(text.split(" ")[0] ?? 0);
}

export function ticksToSeconds(ticks: number): number {
  return ticks / CLOCK_TICKS_PER_SECOND;
}
