/**
 * What the tests read from a local VM running the upstream agent: its agent process (binary and
 * uid, from /proc), the agent's own log of the requests it received, and its bookkeeping files.
 */
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

export function vmRoot(home: string, vmCid: string): string {
  return join(home, ".bootstrap", "local", "vms", vmCid, "root");
}

/**
 * Where a /var/vcap path of the VM is on the host. The agent's links (jobs/<job>, packages/<pkg>,
 * sys) are absolute /var/vcap paths, which mean the VM's root only inside the VM's mount namespace.
 */
export async function hostPath(root: string, vcapPath: string): Promise<string> {
  const parts = vcapPath.replace(/^\/var\/vcap\/?/, "").split("/").filter((p) => p !== "");
  let path = root;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    if (!(await lstat(path)).isSymbolicLink()) continue;
    const target = await readlink(path);
    const rest = parts.slice(i + 1).join("/");
    const resolved = target.startsWith("/var/vcap") ? target : join(path, "..", target).replace(root, "/var/vcap");
    return hostPath(root, rest === "" ? resolved : `${resolved}/${rest}`);
  }
  return path;
}

/** The upstream agent of this VM (its /var/vcap is a bind mount of the VM's root): argv and real uid. */
export async function agentProcess(vmCid: string): Promise<{ argv: string[]; uid: number } | undefined> {
  // The mount's root as its filesystem sees it, so compare the end only.
  const rootSuffix = `/vms/${vmCid}/root`;
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
      if (!argv[0]?.endsWith("/bosh-agent-upstream")) continue;
      const mounts = await readFile(`/proc/${pid}/mountinfo`, "utf8");
      if (!mounts.split("\n").some((line) => line.split(" ")[3]?.endsWith(rootSuffix) === true)) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]);
      return { argv, uid };
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Actions the upstream agent logged as received ("Received request with action X"). */
export async function actionsReceived(root: string): Promise<Set<string>> {
  const log = await readFile(join(root, "bosh", "log", "agent.log"), "utf8").catch(() => "");
  return new Set([...log.matchAll(/Received request with action (\w+)/g)].map((m) => m[1] ?? ""));
}

/** Agent methods the CLI's debug logs show answered with a value (not an exception). */
export async function actionsAnswered(bootstrapHome: string): Promise<Set<string>> {
  const dir = join(bootstrapHome, "logs");
  const texts = await Promise.all((await readdir(dir).catch(() => [] as string[])).map((f) => readFile(join(dir, f), "utf8")));
  return new Set(texts.flatMap((t) => [...t.matchAll(/agent (\w+): value/g)].map((m) => m[1] ?? "")));
}
