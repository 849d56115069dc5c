/**
 * Gives the whole test run (and every process it starts) one private temporary directory,
 * removed at the end: tests and benchmarks make many temp dirs (some with GiB-sized blobs),
 * and a developer's /tmp should not keep them. Local VMs a failed test left running under it
 * are ended first, so no VM outlives the run.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Set while a run's directory exists. Each vitest project runs the global setup again in the
// same process: the first one makes the directory, the others keep it, so paths stay short
// (a unix socket's path must fit in 107 bytes, and four nested temp dirs did not leave room).
const RUN_DIR = "BOOTSTRAP_TESTS_RUN_DIR";
// The unit layer's temp dir (test/unit-memory-tmpdir.ts), in memory where the machine has a
// tmpfs at /dev/shm: its files are small and many, and on this project's CI disks each file
// made and removed cost 1-6 ms of a core against well under 1 ms on tmpfs.
export const MEMORY_DIR = "BOOTSTRAP_TESTS_MEMORY_DIR";

export default function setup(): () => void {
  if (process.env[RUN_DIR] !== undefined) return () => {};
  const dir = mkdtempSync(join(tmpdir(), "bootstrap-tests-"));
  // Like /tmp itself: some tests run processes as an unprivileged user.
  chmodSync(dir, 0o1777);
  process.env["TMPDIR"] = dir;
  process.env[RUN_DIR] = dir;
  const memoryDir = memoryTempDir();
  if (memoryDir !== undefined) process.env[MEMORY_DIR] = memoryDir;
  return () => {
    delete process.env[RUN_DIR];
    delete process.env[MEMORY_DIR];
    endVmsUnder(dir);
    for (const made of [dir, memoryDir]) {
      if (made === undefined) continue;
      try {
        rmSync(made, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        process.stderr.write(`could not remove the test run's temp dir ${made}: ${String(error)}\n`);
      }
    }
  };
}

/** A directory of this run's on /dev/shm when that is a tmpfs we may write to; else none (the unit layer then uses the run's dir). */
function memoryTempDir(): string | undefined {
  try {
    if (statfsSync("/dev/shm").type !== TMPFS_MAGIC) return undefined;
    return mkdtempSync("/dev/shm/bootstrap-unit-tests-");
  } catch {
    return undefined;
  }
}

const TMPFS_MAGIC = 0x01021994;

/** A VM is an `unshare … bash <vm dir>/init.sh` tree; SIGKILL to it ends its PID namespace. */
function endVmsUnder(dir: string): void {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith("unshare") || argv.at(-2)?.startsWith(`${dir}/`) !== true) continue;
    process.stderr.write(`ending local VM left running by a test: ${argv.at(-2) ?? ""}\n`);
    for (const pid of childrenOf(Number(entry))) killQuietly(pid);
    killQuietly(Number(entry));
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
