/**
 * Gives the whole test run (and every process it starts) one private temporary directory,
 * removed at the end: tests and benchmarks make many temp dirs (some with GiB-sized blobs),
 * and a developer's /tmp should not keep them.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "bootstrap-tests-"));
  // Like /tmp itself: some tests run processes as an unprivileged user.
  chmodSync(dir, 0o1777);
  process.env["TMPDIR"] = dir;
  return () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      process.stderr.write(`could not remove the test run's temp dir ${dir}: ${String(error)}\n`);
    }
  };
}
