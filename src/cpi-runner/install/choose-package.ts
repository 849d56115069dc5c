/**
 * Pure: which of a release's packages of one name the CPI gets. A compiled package is taken as
 * it is when it was compiled for this machine's stemcell OS line (host-os.ts); otherwise the
 * source package of that name, compiled here; a compiled package that does not fit, with no
 * source beside it, is a mismatch.
 * bosh-cli (checked with 7.9.13) differs on purpose: it takes the source package whenever the
 * release has one, and a compiled one whatever OS it was compiled for (nor does it check the
 * compiled archive's SHA-1). Compiling what need not be compiled is slow; installing binaries of
 * another OS fails only later, at the CPI's first call, while a deploy is half done.
 */
import type { ReleasePackage } from "../../director-release/index.js";

export type PackageChoice =
  | { kind: "use"; pkg: ReleasePackage; passedOver?: ReleasePackage }
  | { kind: "mismatch"; compiled: ReleasePackage }
  | { kind: "missing" };

/** `ubuntu-jammy/1.10` → `ubuntu-jammy`. */
export function osLineOf(stemcell: string | undefined): string {
  return (stemcell ?? "").split("/")[0] ?? "";
}

export function choosePackage(packages: readonly ReleasePackage[], name: string, hostOs: string | undefined): PackageChoice {
  const compiled = packages.find((p) => p.name === name && p.compiled);
  const source = packages.find((p) => p.name === name && !p.compiled);
  if (compiled !== undefined && hostOs !== undefined && osLineOf(compiled.stemcell) === hostOs) return { kind: "use", pkg: compiled };
  if (source !== undefined) return compiled === undefined ? { kind: "use", pkg: source } : { kind: "use", pkg: source, passedOver: compiled };
  if (compiled !== undefined) return { kind: "mismatch", compiled };
  return { kind: "missing" };
}
