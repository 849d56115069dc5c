import { basename, dirname, extname, join, resolve } from "node:path";

/** bosh-cli's default: `<manifest dir>/<manifest name without extension>-state.json`. */
export function defaultStatePath(manifestPath: string): string {
  const absolute = resolve(manifestPath);
  const name = basename(absolute, extname(absolute));
  return join(dirname(absolute), `${name}-state.json`);
}

export function backupPathOf(statePath: string): string {
  return `${statePath}.backup`;
}

export function lockPathOf(statePath: string): string {
  return `${statePath}.lock`;
}

/** Where the CPI runner journals calls that create or delete something, beside the state. */
export function cpiJournalDirOf(statePath: string): string {
  return `${statePath}.cpi-journal`;
}
