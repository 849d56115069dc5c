/**
 * A lock file (`<file>.lock`): one holder at a time. The file names its holder (pid, host,
 * command, start time) and a random id, so a refused run can say who holds it and the lock
 * can be broken by hand only by naming that very lock (breakFileLock). A lock left by a process that is
 * gone on this host is taken over with a warning; a lock from another host is never
 * second-guessed. The state file's lock refuses at once; the vars store's waits a while, since
 * its holders keep it only to generate and write a value.
 */
import { open, readFile, rename, rm, link } from "node:fs/promises";
import { readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { randomBytes, randomUUID } from "node:crypto";
import { isAlive } from "./is-alive.js";
import { sleep } from "./sleep.js";

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  started_at: string;
  /** Absent in locks written before ids were. */
  id?: string;
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** Recorded in the lock, e.g. "bootstrap deploy bosh.yml". */
  command: string;
  /** Take-overs of stale locks are reported here. */
  warnings: string[];
  /** How long to wait for a live holder to let go; 0 (the default) refuses at once. */
  waitMs?: number;
  /** Ends the wait at once (Ctrl-C): rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The error when a live holder keeps the lock (undefined: it could not be read). */
  locked(owner: LockOwner | undefined): Error;
  /** The error when the lock file cannot be created (no space, no permission). */
  cannotCreate(error: unknown): Error;
}

const held = new Map<string, string>(); // lock path → our lock text, released at exit as a last resort
let exitHookInstalled = false;
const WAIT_INTERVAL_MS = 100;

export async function acquireFileLock(path: string, opts: FileLockOptions): Promise<HeldLock> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), command: opts.command, started_at: new Date().toISOString(), id: randomUUID() };
  const text = `${JSON.stringify(owner, null, 4)}\n`;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    opts.signal?.throwIfAborted();
    const holder = await tryRounds(path, text, opts);
    if (holder === "acquired") return remember(path, text);
    if (Date.now() >= deadline) throw opts.locked(holder);
    await sleep(WAIT_INTERVAL_MS, opts.signal);
  }
}

/** A few rounds: after a take-over, or a holder releasing meanwhile, we try again. */
async function tryRounds(path: string, text: string, opts: FileLockOptions): Promise<"acquired" | LockOwner | undefined> {
  for (let round = 0; round < 3; round++) {
    if (await tryCreate(path, text, opts)) return "acquired";
    let existing = await readOwner(path);
    if (existing === "unreadable") {
      // The holder may be between creating and filling the file: give it a moment. Still
      // unreadable after that, it died there.
      await new Promise((r) => setTimeout(r, 50));
      existing = await readOwner(path);
    }
    if (existing === "gone") continue;
    if (existing !== "unreadable" && !isStaleHere(existing)) return existing;
    if (await takeOver(path, existing)) {
      opts.warnings.push(
        existing === "unreadable"
          ? `took over the unreadable lock ${path}`
          : `took over the lock ${path} left by ${describeLockOwner(existing)}, which is no longer running`,
      );
    }
  }
  const last = await readOwner(path);
  return typeof last === "string" ? undefined : last;
}

async function tryCreate(path: string, text: string, opts: FileLockOptions): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw opts.cannotCreate(error);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    // An empty lock (a full disk) would read as a dead holder's: leave none.
    await handle.close();
    await rm(path, { force: true });
    throw opts.cannotCreate(error);
  }
  await handle.close();
  return true;
}

async function readOwner(path: string): Promise<LockOwner | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      return {
        pid: value.pid,
        host: value.host,
        command: String(value.command ?? "?"),
        started_at: String(value.started_at ?? "?"),
        ...(typeof value.id === "string" ? { id: value.id } : {}),
      };
    }
  } catch {
    // falls through
  }
  return "unreadable";
}

function isStaleHere(owner: LockOwner): boolean {
  return owner.host === hostname() && !isAlive(owner.pid);
}

/**
 * Move the stale lock aside by rename (atomic, so of two runs taking over at once only one
 * moves a given file), then check that what we moved is the stale lock we judged and not a
 * fresh one a competitor created meanwhile — which we put back.
 */
async function takeOver(path: string, judged: LockOwner | "unreadable"): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = await readOwner(aside);
  const same =
    judged === "unreadable"
      ? moved === "unreadable"
      : typeof moved === "object" && moved.pid === judged.pid && moved.started_at === judged.started_at;
  if (!same) {
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
  return same;
}

/** Who holds the lock now: undefined when nobody does; `stale` when its holder is gone from this host. */
export async function readLockHolder(path: string): Promise<{ owner: LockOwner; stale: boolean } | "unreadable" | undefined> {
  const owner = await readOwner(path);
  if (owner === "gone") return undefined;
  if (owner === "unreadable") return owner;
  return { owner, stale: isStaleHere(owner) };
}

export type BreakLockOutcome = "removed" | "not-locked" | "id-mismatch" | { running: LockOwner };

/**
 * Removes the lock only if it is the one with this id, and only if its holder is not a live
 * process on this host. Moved aside by rename and checked again, so a lock taken meanwhile by
 * another run is put back, never removed.
 */
export async function breakFileLock(path: string, id: string): Promise<BreakLockOutcome> {
  const current = await readOwner(path);
  if (current === "gone") return "not-locked";
  if (current === "unreadable" || current.id !== id) return "id-mismatch";
  if (current.host === hostname() && !isStaleHere(current)) return { running: current };
  const aside = `${path}.unlock.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "not-locked";
    throw error;
  }
  const moved = await readOwner(aside);
  if (typeof moved !== "object" || moved.id !== id) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return "id-mismatch";
  }
  await rm(aside, { force: true });
  return "removed";
}

function remember(path: string, text: string): HeldLock {
  held.set(path, text);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort for a caller that forgot release(): never on kill -9, hence the take-over above.
    process.once("exit", () => {
      for (const [lockPath, text] of held) {
        if (readFileSyncOrEmpty(lockPath) === text) rmSync(lockPath, { force: true });
      }
    });
  }
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      held.delete(path);
      const current = await readFile(path, "utf8").catch(() => undefined);
      if (current === text) await rm(path, { force: true });
    },
  };
}

function readFileSyncOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function describeLockOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host} (\`${owner.command}\`, started ${owner.started_at})`;
}
