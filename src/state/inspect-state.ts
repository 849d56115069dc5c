/**
 * The state file as `bootstrap state show/validate/unlock` see it: read without taking the lock
 * and without writing, decoded with every load-time check (a file that does not decode throws
 * STATE_INVALID / STATE_VERSION_UNSUPPORTED, as a deploy would), with the lock's holder and
 * whether bootstrap wrote the file last (bosh-cli writes none of our keys).
 */
import { BootstrapError, breakFileLock, describeLockOwner, readLockHolder, type LockOwner } from "../common/index.js";
import { danglingReferencesError } from "./dangling-references.js";
import { readStoredState } from "./read-state.js";
import { lockPathOf } from "./state-path.js";
import type { DeploymentState } from "./types.js";

export interface StateInspection {
  path: string;
  /** undefined: there is no state file. */
  state: DeploymentState | undefined;
  /** Our bookkeeping, present when bootstrap wrote the file last. */
  meta: { serial: number; lineage: string; updatedAt: string } | undefined;
  warnings: string[];
  /** Thrown by deploy, stop and start; delete goes on with warnings. */
  danglingError: BootstrapError | undefined;
  lock: { owner: LockOwner; stale: boolean } | "unreadable" | undefined;
}

export async function inspectState(statePath: string): Promise<StateInspection> {
  const read = await readStoredState(statePath);
  const lock = await readLockHolder(lockPathOf(statePath));
  if (read === undefined) return { path: statePath, state: undefined, meta: undefined, warnings: [], danglingError: undefined, lock };
  return {
    path: statePath,
    state: read.stored.state,
    meta: read.stored.meta,
    warnings: read.warnings,
    danglingError: read.dangling.length > 0 ? danglingReferencesError(statePath, read.dangling, read.backupPath) : undefined,
    lock,
  };
}

/** terraform's force-unlock: removes the state's lock only when `id` names it and its holder is gone. */
export async function unlockState(statePath: string, id: string): Promise<LockOwner | undefined> {
  const lockPath = lockPathOf(statePath);
  const holder = await readLockHolder(lockPath);
  const outcome = await breakFileLock(lockPath, id);
  if (outcome === "removed") return typeof holder === "object" ? holder.owner : undefined;
  if (outcome === "not-locked") {
    throw new BootstrapError("LOCK_NOT_FOUND", `The state file ${statePath} is not locked: there is nothing to unlock.`, {
      hint: "Run the command that reported the lock again.",
    });
  }
  if (outcome === "id-mismatch") {
    throw new BootstrapError("LOCK_ID_MISMATCH", `The lock on ${statePath} is not lock ${id}: nothing was removed.`, {
      hint: "Give the lock id that the STATE_LOCKED error (or 'bootstrap state show') printed for the lock now held; a lock taken since then has another id.",
    });
  }
  throw new BootstrapError("STATE_LOCKED", `Lock ${id} on ${statePath} is held by ${describeLockOwner(outcome.running)}, which is still running: nothing was removed.`, {
    hint: `Wait for it to finish, or stop it (kill ${outcome.running.pid}); a run that is gone leaves a lock the next run takes over by itself.`,
  });
}
