/**
 * How a VM gets its private mount + PID namespace. As root: `unshare --mount --pid --fork
 * --mount-proc`. Otherwise unprivileged user namespaces (`--user --map-root-user`) when the
 * kernel allows them. Anything else is LOCAL_PROVIDER_UNAVAILABLE, naming what is missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cloudError, type CpiFailure } from "../shared/index.js";

export type Isolation = "root" | "user-namespace";

export function unshareArgs(isolation: Isolation): string[] {
  const base = ["--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--kill-child"];
  return isolation === "root" ? base : ["--user", "--map-root-user", ...base];
}

function unavailable(what: string): CpiFailure {
  return cloudError(`LOCAL_PROVIDER_UNAVAILABLE: ${what}`);
}

/** Decides the isolation for this host, or throws a CloudError saying what is missing. */
export function detectIsolation(mountPoint: string): Isolation {
  const probe = (args: string[]) => spawnSync("unshare", [...args, "true"], { stdio: "ignore", timeout: 10_000 });
  const isRoot = process.getuid?.() === 0;
  const first = probe(unshareArgs(isRoot ? "root" : "user-namespace"));
  if (first.error !== undefined) {
    throw unavailable("the 'unshare' command (util-linux) was not found on PATH; install util-linux");
  }
  if (first.status !== 0) {
    throw unavailable(
      isRoot
        ? "'unshare --mount --pid --fork --mount-proc' failed although running as root (is this a restricted container? it needs CAP_SYS_ADMIN)"
        : "not running as root and unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces); run as root or enable them",
    );
  }
  if (!isRoot && !existsSync(mountPoint)) {
    throw unavailable(`mount point ${mountPoint} does not exist and only root can create it: run 'sudo mkdir -p ${mountPoint}'`);
  }
  return isRoot ? "root" : "user-namespace";
}
