/**
 * `bootstrap state show | validate | unlock`: the state file looked at and repaired without a
 * deploy. Nothing here takes the lock, evaluates the manifest (it only names the default state
 * path, `<manifest>-state.json`) or calls a CPI or agent; only unlock writes, and only the lock.
 */
import { resolve } from "node:path";
import { pendingCallCount } from "../cpi-runner/index.js";
import { BootstrapError } from "../common/index.js";
import { cpiJournalDirOf, defaultStatePath, inspectState, unlockState } from "../state/index.js";
import { summariseState, type StateSummary } from "./state-summary.js";

export interface StateTarget {
  manifestPath?: string | undefined;
  statePath?: string | undefined;
  cwd: string;
}

export type { StateSummary } from "./state-summary.js";

export async function runStateShow(target: StateTarget): Promise<StateSummary> {
  const path = statePathOf(target);
  const inspection = await inspectState(path);
  return summariseState(inspection, await pendingCallCount(cpiJournalDirOf(path)));
}

export interface ValidateResult {
  statePath: string;
  exists: boolean;
  warnings: string[];
}

/** The checks a deploy runs when it loads the state; a problem throws as it would there. */
export async function runStateValidate(target: StateTarget): Promise<ValidateResult> {
  const path = statePathOf(target);
  const inspection = await inspectState(path);
  if (inspection.state === undefined) {
    throw new BootstrapError("NOT_DEPLOYED", `There is no state file at '${path}'.`, { hint: "Name it with --state, or give the manifest it sits beside." });
  }
  if (inspection.danglingError !== undefined) throw inspection.danglingError;
  const warnings = [...inspection.warnings];
  const pending = await pendingCallCount(cpiJournalDirOf(path));
  if (pending > 0) warnings.push(`The CPI journal holds ${pending} call(s) of an interrupted run: the next deploy or delete adopts what they made.`);
  return { statePath: path, exists: true, warnings };
}

export interface UnlockResult {
  statePath: string;
  /** Who held the lock that was removed, as the lock file said. */
  heldBy: string | undefined;
}

export async function runStateUnlock(target: StateTarget, lockId: string): Promise<UnlockResult> {
  const path = statePathOf(target);
  const owner = await unlockState(path, lockId);
  return { statePath: path, heldBy: owner === undefined ? undefined : `pid ${owner.pid} on ${owner.host} (${owner.command})` };
}

function statePathOf(target: StateTarget): string {
  if (target.statePath !== undefined) return resolve(target.cwd, target.statePath);
  if (target.manifestPath !== undefined) return defaultStatePath(resolve(target.cwd, target.manifestPath));
  throw new BootstrapError("USAGE", "Name the state file: give --state PATH, or the manifest it sits beside.", {
    hint: "For example: bootstrap state show --state state.json",
  });
}
