/**
 * Compiles one source package on this machine the way bosh-cli does for CPI releases: the
 * package archive extracted into a scratch dir, then `bash -x packaging` run there with
 * BOSH_COMPILE_TARGET, BOSH_INSTALL_TARGET, BOSH_PACKAGE_NAME, BOSH_PACKAGE_VERSION and
 * BOSH_PACKAGES_DIR over the allow-listed part of our environment (see child-env.ts; the
 * dependencies are already installed under BOSH_PACKAGES_DIR). The output goes to the debug
 * log; on failure its tail is in the error. `packaging` must be a plain file of the archive (not a
 * link), so bash never runs a script the archive merely points at.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { checkExtractedFile, extractTarballSafely } from "../../artefacts/index.js";
import { BootstrapError, redact, type Logger } from "../../common/index.js";
import type { ReleasePackage } from "../../director-release/index.js";
import { childEnv } from "../child-env.js";

export interface CompileInput {
  pkg: ReleasePackage;
  packagesDir: string;
  scratchDir: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

const TAIL_LINES = 20;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Leaves the compiled package in `<packagesDir>/<name>`. */
export async function compilePackage({ pkg, packagesDir, scratchDir, logger, signal }: CompileInput): Promise<void> {
  const compileDir = join(scratchDir, `compile-${pkg.name}`);
  const installDir = join(packagesDir, pkg.name);
  await rm(compileDir, { recursive: true, force: true });
  await rm(installDir, { recursive: true, force: true });
  await extractTarballSafely(pkg.archivePath, compileDir, "RELEASE_INVALID");
  // A missing packaging script (or a directory of that name) is left to bash to report, as before.
  await checkExtractedFile(compileDir, "packaging", `the packaging script of package '${pkg.name}'`).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "EISDIR") throw error;
  });
  await mkdir(installDir, { recursive: true });
  logger.debug(`Compiling package ${pkg.name}/${pkg.fingerprint} in ${compileDir}`);
  // Loaded on first use, as in spawn-cpi.ts.
  const { execa } = await import("execa");
  const child = execa("bash", ["-x", "packaging"], {
    cwd: compileDir,
    env: childEnv(process.env, {
      BOSH_COMPILE_TARGET: compileDir,
      BOSH_INSTALL_TARGET: installDir,
      BOSH_PACKAGE_NAME: pkg.name,
      BOSH_PACKAGE_VERSION: pkg.fingerprint,
      BOSH_PACKAGES_DIR: packagesDir,
    }),
    extendEnv: false,
    all: true,
    reject: false,
    stdin: "ignore",
    // Its own process group, so an abort stops what packaging started too (make, gcc, sleep),
    // not only bash: those would otherwise keep the output pipe open until they finish.
    detached: true,
  });
  const stop = (): void => killGroup(child.pid);
  signal?.addEventListener("abort", stop, { once: true });
  const result = await child.finally(() => signal?.removeEventListener("abort", stop));
  const output = redact(result.all ?? "");
  logger.debug(`packaging of ${pkg.name}:\n${output}`);
  if (signal?.aborted) throw signal.reason;
  if (result.exitCode !== 0 || result.failed) {
    const how = result.exitCode !== undefined ? `exit code ${result.exitCode}` : (result.signal ?? "failure to start");
    throw new BootstrapError("PACKAGE_COMPILE_FAILED", `Compiling CPI package '${pkg.name}' failed (${how})`, {
      details: output.split("\n").slice(-TAIL_LINES),
      hint: "Its packaging script failed on this machine; the last lines of its output are above, all of it is in the debug log. Install what it needs (e.g. a compiler) and run again.",
    });
  }
  await rm(compileDir, { recursive: true, force: true });
}
