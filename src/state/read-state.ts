/**
 * Reading the state file without locking or writing anything (for `plan` and the like). A file
 * whose current_* ids name no record is refused, as deploy refuses it (dangling-references.ts).
 */
import { access, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { BootstrapError } from "../common/index.js";
import { decodeState, type DanglingReference } from "./decode-state.js";
import { danglingReferencesError } from "./dangling-references.js";
import { LEGACY_FILE_NAME, readLegacyDeployments } from "./legacy-deployments.js";
import { backupPathOf } from "./state-path.js";
import type { DeploymentState, StoredState } from "./types.js";

/** undefined when there is no state file (nothing deployed yet). */
export async function readState(path: string): Promise<DeploymentState | undefined> {
  const statePath = resolve(path);
  const stored = await readStoredState(statePath);
  if (stored !== undefined && stored.dangling.length > 0) throw danglingReferencesError(statePath, stored.dangling, stored.backupPath);
  return stored?.stored.state ?? (await readLegacyDeployments(join(dirname(statePath), LEGACY_FILE_NAME)));
}

export interface ReadStoredState {
  stored: StoredState;
  text: string;
  warnings: string[];
  dangling: DanglingReference[];
  /** The backup beside the file, when there is one. */
  backupPath: string | undefined;
}

export async function readStoredState(path: string): Promise<ReadStoredState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new BootstrapError("STATE_INVALID", `Cannot read the state file ${path}: ${(error as Error).message}`, {
      hint: code === "EISDIR" ? "--state must name a file, not a directory." : "Check the file's permissions.",
      cause: error,
    });
  }
  const backup = backupPathOf(path);
  const backupExists = await access(backup).then(
    () => true,
    () => false,
  );
  const backupPath = backupExists ? backup : undefined;
  const decoded = decodeState(text, { path, backupPath });
  return { stored: decoded.stored, text, warnings: decoded.warnings, dangling: decoded.dangling, backupPath };
}
