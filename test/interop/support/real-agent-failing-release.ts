/**
 * A one-job release whose pre-start fails, saying why on stderr: a job that fails under the
 * upstream agent's dummy platform (which starts no processes, so only job scripts can fail).
 * Its job uses one small package, so adding it to a running VM compiles on that VM.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildRelease } from "../../../src/local/build/release-tarball.js";

export const FAILING_MESSAGE = "failing job: refusing to start (interop test)";
export const FAILING_PACKAGE = "failing-tool";

export async function buildFailingRelease(dir: string): Promise<{ name: string; path: string }> {
  const preStart = `#!/usr/bin/env bash\necho "checking the failing job"\necho "${FAILING_MESSAGE}" >&2\nexit 1\n`;
  const { name, tarball } = buildRelease({
    name: "real-agent-failing",
    baseVersion: "0.1.0",
    commitHash: "interop",
    uncommittedChanges: false,
    source: {
      packages: [
        {
          name: FAILING_PACKAGE,
          dependencies: [],
          files: [{ path: "packaging", content: Buffer.from('echo "built by the failing release" > "${BOSH_INSTALL_TARGET}/built.txt"\n') }],
        },
      ],
      jobs: [
        {
          name: "failing",
          manifest: { name: "failing", templates: { "pre-start.erb": "bin/pre-start" }, packages: [FAILING_PACKAGE], properties: {} },
          packages: [FAILING_PACKAGE],
          files: [
            { path: "monit", content: Buffer.from("") },
            { path: "templates/pre-start.erb", content: Buffer.from(preStart), mode: 0o755 },
          ],
        },
      ],
    },
  });
  const path = join(dir, "real-agent-failing-release.tgz");
  await writeFile(path, tarball);
  return { name, path };
}
