/**
 * `<state>.lock`: one writer per state file, refused at once while another run holds it (see
 * common/file-lock.ts for how holders are named and stale locks taken over).
 */
import { hostname } from "node:os";
import { acquireFileLock, BootstrapError, describeLockOwner } from "../common/index.js";
import type { HeldLock, LockOwner } from "../common/index.js";

export type { HeldLock, LockOwner };

export function acquireLock(path: string, command: string, warnings: string[]): Promise<HeldLock> {
  return acquireFileLock(path, {
    command,
    warnings,
    locked: (owner) => lockedBy(path, owner),
    cannotCreate: (error) =>
      new BootstrapError("STATE_WRITE_FAILED", `Cannot create the lock file ${path}: ${(error as Error).message}`, {
        hint: "Check that the state file's directory exists and is writable, and that its disk has space.",
        cause: error,
      }),
  });
}

function lockedBy(path: string, owner: LockOwner | undefined): BootstrapError {
  const who = owner === undefined ? "another run" : describeLockOwner(owner);
  const remote = owner !== undefined && owner.host !== hostname();
  const statePath = path.slice(0, -".lock".length);
  // The id names this very lock: `state unlock` removes nothing else (a lock taken since differs).
  const release =
    owner?.id === undefined ? `delete ${path}` : `run 'bootstrap state unlock ${owner.id} --state ${statePath}'`;
  return new BootstrapError("STATE_LOCKED", `The state file is locked by ${who}${owner?.id === undefined ? "" : `, lock id ${owner.id}`}: ${path}`, {
    hint: remote
      ? `Wait for that run to finish. If it is certainly no longer running on ${owner.host}, ${release} and retry.`
      : `Wait for that run to finish (or stop it). If no such run exists, ${release} and retry.`,
  });
}
