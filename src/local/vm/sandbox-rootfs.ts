/**
 * The root a sandboxed VM pivots into: a skeleton of mount points under <vm dir>/rootfs,
 * prepared here in-process, and the fstab the VM's init mounts in one `mount --all` (one
 * process instead of one per mount: the difference was a third of a second on a busy host).
 *
 * Shown to the VM: the host's /usr, /bin, /sbin and /lib* read-only (symlinks where the host
 * has merged /usr); its own /etc (overlay, see sandbox-root.ts), /var/vcap, /tmp, /root, /home,
 * /run and /var (plain directories of the skeleton, owned by the VM's root); /dev with null,
 * zero, full, random, urandom and tty, its own /dev/shm and /dev/pts; its own /proc; /sys
 * read-only; and at their host paths the VM dir read-only plus the launcher's extra paths.
 */
import { existsSync } from "node:fs";
import { chmod, chown, lstat, mkdir, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

const SYSTEM_DIRS = ["bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr"];
const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"];
const DEV_LINKS: [string, string][] = [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"], ["ptmx", "pts/ptmx"]];
const VM_OWN_DIRS = ["tmp", "root", "home", "run", "var", "var/tmp", "var/log", "var/lib"];
const STICKY = new Set(["tmp", "var/tmp"]);
/** Where the host's tree is while the init pivots; unmounted at once. */
export const OLD_ROOT = ".host";

export interface RootfsLayout {
  rootfs: string;
  vmDir: string;
  /** The VM's /var/vcap on the host. */
  vmRoot: string;
  mountPoint: string;
  etc: { lower: string; upper: string; work: string };
  readOnlyPaths: string[];
  writablePaths: string[];
  /** Host uid of the VM's root; undefined: the host's root. */
  uidBase: number | undefined;
}

/** Host system directories that are directories here (not symlinks into /usr). */
export type SystemDirs = { dirs: string[]; links: [string, string][] };

export async function hostSystemDirs(): Promise<SystemDirs> {
  const found: SystemDirs = { dirs: [], links: [] };
  for (const name of SYSTEM_DIRS) {
    const info = await lstat(`/${name}`).catch(() => undefined);
    if (info?.isSymbolicLink() === true) found.links.push([name, await readlink(`/${name}`)]);
    else if (info?.isDirectory() === true) found.dirs.push(name);
  }
  return found;
}

/** Creates the skeleton's mount points, files and links (again after a reboot: idempotent). */
export async function prepareRootfs(l: RootfsLayout, system: SystemDirs): Promise<void> {
  const r = l.rootfs;
  const dirs = [...system.dirs, "etc", "proc", "sys", "dev/shm", "dev/pts", OLD_ROOT, ...VM_OWN_DIRS, l.mountPoint, l.vmDir, ...l.readOnlyPaths, ...l.writablePaths];
  for (const dir of dirs) await mkdir(join(r, dir), { recursive: true, mode: 0o755 });
  for (const [name, target] of [...system.links, ...DEV_LINKS.map(([n, t]): [string, string] => [`dev/${n}`, t])]) {
    if (!existsSync(join(r, name)) && (await lstat(join(r, name)).catch(() => undefined)) === undefined) await symlink(target, join(r, name));
  }
  for (const device of DEVICES) await writeFile(join(r, "dev", device), "", { flag: "a", mode: 0o644 });
  for (const dir of VM_OWN_DIRS) {
    if (l.uidBase !== undefined) await chown(join(r, dir), l.uidBase, l.uidBase);
    if (STICKY.has(dir)) await chmod(join(r, dir), 0o1777);
  }
}

/** The VM's mounts, in order. Pure. */
export function sandboxFstab(l: RootfsLayout, system: SystemDirs): string {
  const r = l.rootfs;
  const at = (path: string) => join(r, path);
  const lines: [string, string, string, string][] = [
    ...system.dirs.map((d): [string, string, string, string] => [`/${d}`, at(d), "none", "bind,ro"]),
    ["vm-etc", at("etc"), "overlay", `lowerdir=${l.etc.lower},upperdir=${l.etc.upper},workdir=${l.etc.work}`],
    [l.vmRoot, at(l.mountPoint), "none", "bind"],
    [l.vmDir, at(l.vmDir), "none", "bind,ro"],
    ...l.readOnlyPaths.map((p): [string, string, string, string] => [p, at(p), "none", "bind,ro"]),
    ...l.writablePaths.map((p): [string, string, string, string] => [p, at(p), "none", "bind"]),
    ...DEVICES.map((d): [string, string, string, string] => [`/dev/${d}`, at(`dev/${d}`), "none", "bind"]),
    ["vm-shm", at("dev/shm"), "tmpfs", "mode=1777,nosuid,nodev"],
    ["vm-pts", at("dev/pts"), "devpts", "newinstance,ptmxmode=0666,mode=0620"],
    ["proc", at("proc"), "proc", "nosuid,nodev,noexec"],
    ["sysfs", at("sys"), "sysfs", "ro,nosuid,nodev,noexec"],
  ];
  return lines.map((fields) => `${fields.map(escapeField).join(" ")} 0 0\n`).join("");
}

/** fstab(5) fields: whitespace and backslashes as octal escapes. */
function escapeField(field: string): string {
  return field.replace(/[\\\s]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}
