/**
 * Which stemcell OS line this machine counts as, so that a compiled CPI release is installed
 * only where its binaries were built to run. Stemcell OS lines are `<distro>-<codename>`
 * (ubuntu-jammy, ubuntu-noble); /etc/os-release (os-release(5)) names both:
 *   - UBUNTU_CODENAME, which Ubuntu and its derivatives (Mint, Pop!_OS) set, gives
 *     `ubuntu-<codename>`: they ship that Ubuntu's libraries;
 *   - otherwise ID and VERSION_CODENAME give `<id>-<codename>`, e.g. `debian-bookworm`, which no
 *     stemcell is named: Debian's libraries are other builds and versions than Ubuntu's, so an
 *     Ubuntu-compiled Ruby or C binary may fail there, and only after VMs exist.
 * BOOTSTRAP_HOST_OS overrides the file, for whoever knows a compiled CPI runs here (e.g. a
 * static Go binary). The stemcell version and the CPU are not compared: release.MF records no
 * architecture, and any build of an OS line runs its packages.
 */
import { readFile } from "node:fs/promises";

export const HOST_OS_SETTING = "BOOTSTRAP_HOST_OS";
const OS_RELEASE_FILES = ["/etc/os-release", "/usr/lib/os-release"];

export interface HostOs {
  /** The stemcell OS line, e.g. `ubuntu-jammy`; undefined when nothing names one. */
  name: string | undefined;
  /** Where `name` came from, for messages. */
  source: string;
}

/** `KEY=value` lines, values unquoted (shell-style single or double quotes, backslash escapes). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    const raw = match[2] ?? "";
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    fields[match[1] ?? ""] = quoted === null ? raw : (quoted[2] ?? "").replace(/\\(.)/g, "$1");
  }
  return fields;
}

const WORD = /^[a-z0-9][a-z0-9._-]*$/;

export function stemcellOsOf(fields: Readonly<Record<string, string>>): string | undefined {
  const ubuntu = fields["UBUNTU_CODENAME"];
  if (ubuntu !== undefined && WORD.test(ubuntu)) return `ubuntu-${ubuntu}`;
  const id = fields["ID"];
  const codename = fields["VERSION_CODENAME"];
  if (id !== undefined && codename !== undefined && WORD.test(id) && WORD.test(codename)) return `${id}-${codename}`;
  return undefined;
}

export async function readHostOs(env: NodeJS.ProcessEnv): Promise<HostOs> {
  const setting = env[HOST_OS_SETTING]?.trim();
  if (setting !== undefined && setting !== "") return { name: setting, source: HOST_OS_SETTING };
  for (const file of OS_RELEASE_FILES) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) return { name: stemcellOsOf(parseOsRelease(text)), source: file };
  }
  return { name: undefined, source: `no ${OS_RELEASE_FILES.join(" or ")}` };
}
