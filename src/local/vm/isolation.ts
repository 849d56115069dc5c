/**
 * How a VM gets its namespaces. As root: the sandbox (sandbox-script.ts) in new mount, PID,
 * UTS and IPC namespaces (plus a network namespace for a VM with an address of its own), whose
 * processes run in a user namespace of their own when the kernel allows it. Otherwise
 * unprivileged user namespaces (`--user --map-root-user`) with a private mount and PID
 * namespace only. Anything else is LOCAL_PROVIDER_UNAVAILABLE, naming what is missing.
 */
import { existsSync } from "node:fs";
import { cloudError, type CpiFailure } from "../shared/index.js";
import { probeUnshare } from "./unshare-probe.js";

export type Isolation = "root" | "user-namespace";

export function unshareArgs(isolation: Isolation, ownNetwork = false): string[] {
  if (isolation === "root") {
    return ["--mount", "--pid", "--uts", "--ipc", ...(ownNetwork ? ["--net"] : []), "--fork", "--propagation", "private", "--kill-child"];
  }
  return ["--user", "--map-root-user", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--kill-child"];
}

/**
 * Whether root can give a VM's processes a user namespace of their own (off where
 * user.max_user_namespaces is 0, or in a container that forbids it).
 */
export function userNamespacesAllowed(): boolean {
  return probeUnshare(["--user"]) === "works";
}

function unavailable(what: string): CpiFailure {
  return cloudError(`LOCAL_PROVIDER_UNAVAILABLE: ${what}`);
}

/** Decides the isolation for this host, or throws a CloudError saying what is missing. */
export function detectIsolation(mountPoint: string): Isolation {
  const isRoot = process.getuid?.() === 0;
  const answer = probeUnshare(unshareArgs(isRoot ? "root" : "user-namespace"));
  if (answer === "cannot-start") {
    throw unavailable("the 'unshare' command (util-linux) was not found on PATH; install util-linux");
  }
  if (answer === "fails") {
    throw unavailable(
      isRoot
        ? "'unshare --mount --pid --uts --ipc --fork' failed although running as root (is this a restricted container? it needs CAP_SYS_ADMIN)"
        : "not running as root and unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces); run as root or enable them",
    );
  }
  if (!isRoot && !existsSync(mountPoint)) {
    throw unavailable(`mount point ${mountPoint} does not exist and only root can create it: run 'sudo mkdir -p ${mountPoint}'`);
  }
  return isRoot ? "root" : "user-namespace";
}
