/**
 * The files a sandboxed VM owns, prepared by the launcher before the VM starts: its /etc, and
 * the ownership of its directories by the VM's root (uid VM_UID_BASE outside, 0 inside).
 *
 * The VM's /etc starts as a copy of what every host user may read in the host's /etc (so
 * /etc/shadow, SSH host keys and /etc/ssl/private stay behind), plus a `vcap` user (as on a
 * stemcell), a shadow file of its own, and the VM's hostname and hosts.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const VCAP_ID = 1000;

/**
 * Host uid and gid of a sandboxed VM's root: ids 0-65535 inside are this and the next 65535
 * outside, far above what /etc/subuid hands out (100000 upwards) and what hosts give users.
 */
export const VM_ROOT_UID = 2_000_000_000;

/**
 * A VM's /etc is an overlay: the lower layer a template under `templates`, one per state of the
 * host's /etc (its mtime) and VM uid, shared by the VMs and kept while a running VM's overlay
 * may use it; the upper one the VM's own directory, where its hostname and hosts are written now
 * and whatever the VM changes lands later. Copying the host's /etc for every VM took a second on
 * a busy host; the overlay takes nothing. Returns the template's path.
 */
export async function etcTemplate(templates: string, uidBase: number | undefined): Promise<string> {
  const template = join(templates, `${Math.floor((await stat("/etc")).mtimeMs)}-${uidBase ?? 0}`);
  await ensureEtcTemplate(template, uidBase);
  return template;
}

/** The VM's own layer of /etc, and the overlay's work dir. */
export async function prepareVmEtc(o: { upper: string; work: string; hostname: string; ip: string; uidBase: number | undefined }): Promise<void> {
  await mkdir(o.upper, { recursive: true, mode: 0o755 });
  await mkdir(o.work, { recursive: true, mode: 0o700 });
  await writeFile(join(o.upper, "hostname"), `${o.hostname}\n`);
  await writeFile(join(o.upper, "hosts"), `127.0.0.1 localhost\n${o.ip} ${o.hostname}\n`);
  if (o.uidBase !== undefined) await ownByVm(o.upper, o.uidBase);
}

/**
 * Makes the template at `template` unless it is there: for a new VM, and for a VM started again
 * after the host rebooted, when a template kept in /run is gone with it.
 */
export async function ensureEtcTemplate(template: string, uidBase: number | undefined): Promise<void> {
  if (existsSync(template)) return;
  const fresh = `${template}.${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true, mode: 0o755 });
  // What every host user may read: unreadable files and unsearchable directories stay behind.
  await run("bash", ["-c", 'cd /etc && find . \\( -type d ! -perm -o=rx -prune \\) -o \\( -type f ! -perm -o=r \\) -o -print0 | tar --null --no-recursion -T - -cf - | tar -xpf - -C "$1"', "bash", fresh]);
  const passwd = await readFile(join(fresh, "passwd"), "utf8").catch(() => "root:x:0:0:root:/root:/bin/bash\n");
  const group = await readFile(join(fresh, "group"), "utf8").catch(() => "root:x:0:\n");
  const hasVcap = (text: string) => text.split("\n").some((line) => line.startsWith("vcap:"));
  const vcapIdFree = (text: string) => !text.split("\n").some((line) => line.split(":")[2] === String(VCAP_ID));
  if (!hasVcap(passwd) && vcapIdFree(passwd)) {
    await writeFile(join(fresh, "passwd"), `${passwd.trimEnd()}\nvcap:x:${VCAP_ID}:${VCAP_ID}:BOSH System User:/home/vcap:/bin/bash\n`);
  }
  if (!hasVcap(group) && vcapIdFree(group)) await writeFile(join(fresh, "group"), `${group.trimEnd()}\nvcap:x:${VCAP_ID}:\n`);
  const users = (await readFile(join(fresh, "passwd"), "utf8")).split("\n").filter((l) => l !== "").map((l) => l.split(":")[0]);
  await writeFile(join(fresh, "shadow"), users.map((u) => `${u}:*:19000:0:99999:7:::\n`).join(""), { mode: 0o640 });
  if (uidBase !== undefined) await ownByVm(fresh, uidBase);
  // Another CPI may have finished the same template meanwhile: either is as good.
  await rename(fresh, template).catch(() => rm(fresh, { recursive: true, force: true }));
}

/** Hands a tree to the VM's root (recursively; symlinks themselves, not their targets). */
export async function ownByVm(path: string, uidBase: number): Promise<void> {
  await run("chown", ["-R", "-h", `${uidBase}:${uidBase}`, path]);
}
