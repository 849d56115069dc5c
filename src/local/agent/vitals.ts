/**
 * get_state "full" vitals in the agent's shape (numbers as strings): cpu, load, mem, swap,
 * disk usage of system (/), ephemeral (data) and persistent (store) and uptime.
 */
import { cpus, freemem, loadavg, totalmem, uptime } from "node:os";
import { readFile, statfs } from "node:fs/promises";
import type { AgentPaths } from "./paths.js";

function pct(used: number, total: number): string {
  return total > 0 ? ((used / total) * 100).toFixed(0) : "0";
}

async function diskUsage(path: string): Promise<{ percent: string; inode_percent: string } | undefined> {
  const fs = await statfs(path).catch(() => undefined);
  if (fs === undefined) return undefined;
  return { percent: pct(fs.blocks - fs.bfree, fs.blocks), inode_percent: pct(fs.files - fs.ffree, fs.files) };
}

async function swap(): Promise<{ kb: string; percent: string }> {
  const text = await readFile("/proc/meminfo", "utf8").catch(() => "");
  const value = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  const used = value("SwapTotal") - value("SwapFree");
  return { kb: String(used), percent: pct(used, value("SwapTotal")) };
}

export async function collectVitals(paths: AgentPaths, persistentMounted: boolean): Promise<Record<string, unknown>> {
  const times = cpus().reduce(
    (sum, c) => ({ user: sum.user + c.times.user + c.times.nice, sys: sum.sys + c.times.sys, total: sum.total + c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq }),
    { user: 0, sys: 0, total: 0 },
  );
  const disk: Record<string, unknown> = {};
  const system = await diskUsage("/");
  if (system) disk.system = system;
  const ephemeral = await diskUsage(paths.dataDir);
  if (ephemeral) disk.ephemeral = ephemeral;
  const persistent = persistentMounted ? await diskUsage(paths.storeDir) : undefined;
  if (persistent) disk.persistent = persistent;
  const usedMem = totalmem() - freemem();
  return {
    cpu: { sys: pct(times.sys, times.total), user: pct(times.user, times.total), wait: "0" },
    disk,
    load: loadavg().map((l) => l.toFixed(2)),
    mem: { kb: String(Math.round(usedMem / 1024)), percent: pct(usedMem, totalmem()) },
    swap: await swap(),
    uptime: { secs: Math.round(uptime()) },
  };
}
