/**
 * compile_package, as the real agent does it: wipe installed packages, install the compiled
 * dependencies (digest-checked) and link them at packages/<dep>, unpack the source blob into
 * data/compile/<name>, run `bash -x packaging` there with BOSH_COMPILE_TARGET,
 * BOSH_INSTALL_TARGET (the packages/<name> link), BOSH_PACKAGE_NAME and BOSH_PACKAGE_VERSION,
 * tar the install dir's contents (gzip) into the blob store and return its id and SHA-1.
 * Output goes to sys/log/compilation/packaging.{stdout,stderr}.log.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { wrap, wrapAsync } from "./action-error.js";
import { installPackage, enablePackage, versionHash } from "./apply/bundles.js";
import type { SpecPackage } from "./apply/apply-spec.js";
import type { Blobstore } from "./blobstore.js";
import { extractTarball, removeEntriesExcept, replaceSymlink } from "./fs-helpers.js";
import type { AgentPaths } from "./paths.js";
import { runChecked, runCommand } from "./run-command.js";

export interface CompileRequest {
  blobstoreId: string;
  sha1: string;
  name: string;
  version: string;
  deps: SpecPackage[];
}

export async function compilePackage(
  paths: AgentPaths,
  blobstore: Blobstore,
  request: CompileRequest,
  signal: AbortSignal,
): Promise<{ result: { blobstore_id: string; sha1: string } }> {
  const { name, version } = request;
  const compileDir = join(paths.compileDir, name);
  const installDir = join(paths.dataPackagesDir, name, versionHash(version));
  const installTarget = join(paths.packagesDir, name);
  await wipePackages(paths);
  try {
    for (const dep of request.deps) {
      await wrapAsync(`Installing dependent packages`, async () => {
        await installPackage(paths, blobstore, dep);
        await enablePackage(paths, dep);
      });
    }
    const source = await blobstore.fetch(request.blobstoreId, request.sha1).catch((error: unknown) => {
      throw wrap(`Fetching package blob ${request.blobstoreId}`, error);
    });
    const unpack = `${compileDir}-bosh-agent-unpack`;
    await rm(unpack, { recursive: true, force: true });
    await extractTarball(source, unpack);
    await rm(compileDir, { recursive: true, force: true });
    await rename(unpack, compileDir);
    await mkdir(installDir, { recursive: true });
    await replaceSymlink(installDir, installTarget);
    await wrapAsync(`Compiling package ${name}`, () => runPackaging(paths, compileDir, installTarget, name, version, signal));
    const tarball = join(paths.tmpDir, `compiled-${randomUUID()}.tgz`);
    await runChecked("tar", ["-czf", tarball, "-C", installDir, "."]);
    const created = await blobstore.create(tarball);
    return { result: { blobstore_id: created.blobstoreId, sha1: created.sha1 } };
  } finally {
    await rm(compileDir, { recursive: true, force: true });
    await wipePackages(paths);
  }
}

/** Compilation starts and ends with no package installed, like the real agent. */
async function wipePackages(paths: AgentPaths): Promise<void> {
  await removeEntriesExcept(paths.packagesDir, new Set());
  await removeEntriesExcept(paths.dataPackagesDir, new Set());
}

async function runPackaging(paths: AgentPaths, compileDir: string, installTarget: string, name: string, version: string, signal: AbortSignal): Promise<void> {
  const script = join(compileDir, "packaging");
  if (!(await access(script).then(() => true, () => false))) return;
  const logDir = join(paths.sysLogDir, "compilation");
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const stdoutLog = createWriteStream(join(logDir, "packaging.stdout.log"));
  const stderrLog = createWriteStream(join(logDir, "packaging.stderr.log"));
  try {
    const result = await runCommand("bash", ["-x", "packaging"], {
      cwd: compileDir,
      signal,
      env: {
        ...process.env,
        BOSH_COMPILE_TARGET: compileDir,
        BOSH_INSTALL_TARGET: installTarget,
        BOSH_PACKAGE_NAME: name,
        BOSH_PACKAGE_VERSION: version,
      },
      onStdout: (chunk) => stdoutLog.write(chunk),
      onStderr: (chunk) => stderrLog.write(chunk),
    });
    if (result.exitCode !== 0) {
      throw new Error(`Running packaging script: Command exited with ${result.exitCode}; Stdout: ${result.stdout}, Stderr: ${result.stderr}`);
    }
  } finally {
    await Promise.all([closeStream(stdoutLog), closeStream(stderrLog)]);
  }
}

function closeStream(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((done) => stream.end(done));
}
