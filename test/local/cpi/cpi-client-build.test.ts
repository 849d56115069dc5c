/**
 * The local_cpi package's packaging script, run as a deployer runs it: cpi-client comes out
 * statically linked where this machine's C library allows it (every CPI call execs it, and a
 * static program skips the dynamic loader), and dynamically linked where it does not.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = resolve(import.meta.dirname, "../../../src/local/releases/local-cpi/packages/local_cpi");
const PT_INTERP = 3;

/** Whether an ELF64 executable names a dynamic loader (a PT_INTERP program header). */
function namesLoader(elf: Buffer): boolean {
  const headersAt = Number(elf.readBigUInt64LE(0x20));
  const headerSize = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(headersAt + i * headerSize) === PT_INTERP) return true;
  return false;
}

/** Runs the packaging script with the package's files, as the installer does; returns its stderr. */
function runPackaging(path: string): { target: string; stderr: string } {
  const work = mkdtempSync(join(tmpdir(), "cpi-client-build-"));
  const sources = join(work, "src");
  const target = join(work, "install");
  mkdirSync(sources);
  mkdirSync(target);
  copyFileSync(join(PACKAGE_DIR, "files", "cpi-client.c"), join(sources, "cpi-client.c"));
  for (const bundle of ["cpi.js", "sshd.js", "package.json"]) writeFileSync(join(sources, bundle), "{}\n");
  const result = spawnSync("bash", [join(PACKAGE_DIR, "packaging")], { cwd: sources, env: { PATH: path, BOSH_INSTALL_TARGET: target }, encoding: "utf8" });
  expect(result.status).toBe(0);
  return { target, stderr: result.stderr };
}

const haveCompiler = spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;
const systemPath = process.env["PATH"] ?? "/usr/bin:/bin";

function canLinkStatically(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "static-probe-"));
  writeFileSync(join(dir, "p.c"), "int main(void) { return 0; }\n");
  return spawnSync("cc", ["-static", "-o", join(dir, "p"), join(dir, "p.c")], { stdio: "ignore" }).status === 0;
}

describe.skipIf(!haveCompiler)("the local_cpi packaging", () => {
  it.skipIf(!canLinkStatically())("links cpi-client statically where the C library allows it", () => {
    const { target, stderr } = runPackaging(systemPath);
    expect(namesLoader(readFileSync(join(target, "cpi-client")))).toBe(false);
    expect(stderr).toBe("");
  });

  it("links it dynamically, quietly, where static linking fails", () => {
    // given: a cc that has no static C library, as on distributions without glibc-static
    const bin = mkdtempSync(join(tmpdir(), "cc-without-static-"));
    const realCc = execFileSync("bash", ["-c", "command -v cc"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "cc"), `#!/bin/sh\nfor a in "$@"; do [ "$a" = -static ] && { echo "cannot find -lc" >&2; exit 1; }; done\nexec ${realCc} "$@"\n`);
    chmodSync(join(bin, "cc"), 0o755);
    // when
    const { target, stderr } = runPackaging(`${bin}:${systemPath}`);
    // then
    expect(namesLoader(readFileSync(join(target, "cpi-client")))).toBe(true);
    expect(stderr).toBe("");
  });
});
