/**
 * Persistent disks of the local provider: directories on the host, named in the settings
 * (`disks.persistent[cid] = {path}` or a path string, written by the CPI's attach_disk) or in a
 * hint from add_persistent_disk. "Mounting" is a bind mount on `<base>/store` — or on
 * `store_migration_target` while store holds another disk, which migrate_disk then copies and
 * swaps. The agent runs in the VM's private mount namespace, so the mounts are the VM's alone.
 * Which disk is where is recorded in `bosh/mounts.json` and checked against the live mount table.
 */
import { mkdir, readFile } from "node:fs/promises";
import { isRecord, messageOf, writeFileAtomic, type Logger } from "../../common/index.js";
import { wrap } from "./action-error.js";
import type { AgentPaths } from "./paths.js";
import { runChecked } from "./run-command.js";
import { persistentDisks, type SettingsService } from "./settings.js";

type Mounts = Record<string, string>;

export class DiskManager {
  constructor(private readonly paths: AgentPaths, private readonly settings: SettingsService, private readonly logger: Logger) {}

  async addHint(cid: string, hint: unknown): Promise<void> {
    const hints = await this.readJson(this.paths.diskHints);
    hints[cid] = hint;
    await writeFileAtomic(this.paths.diskHints, JSON.stringify(hints), 0o600);
  }

  async removeHint(cid: string): Promise<void> {
    const hints = await this.readJson(this.paths.diskHints);
    delete hints[cid];
    await writeFileAtomic(this.paths.diskHints, JSON.stringify(hints), 0o600);
  }

  async mount(cid: string): Promise<void> {
    const hostPath = await this.hostPathOf(cid, "Reading persistent disk settings");
    const mounts = await this.liveMounts();
    if (mounts[cid] !== undefined) return;
    const storeTaken = Object.values(mounts).includes(this.paths.storeDir);
    const target = storeTaken ? this.paths.migrationTargetDir : this.paths.storeDir;
    try {
      await mkdir(target, { recursive: true });
      await runChecked("mount", ["--bind", hostPath, target]);
    } catch (error) {
      throw wrap("Mounting persistent disk", error);
    }
    await this.saveMounts({ ...mounts, [cid]: target });
    await writeFileAtomic(this.paths.managedDisk, JSON.stringify({ disk_cid: cid }), 0o600);
    this.logger.debug(`mounted disk ${cid} (${hostPath}) on ${target}`);
  }

  async unmount(cid: string): Promise<{ message: string }> {
    const hostPath = await this.hostPathOf(cid, "Getting persistent disk settings");
    const mounts = await this.liveMounts();
    const description = `{ID:${cid} Path:${hostPath}}`;
    const mountPoint = mounts[cid];
    if (mountPoint === undefined) return { message: `Partition of ${description} is not mounted` };
    await runChecked("umount", [mountPoint]).catch((error: unknown) => {
      throw wrap("Unmounting persistent disk", error);
    });
    delete mounts[cid];
    await this.saveMounts(mounts);
    return { message: `Unmounted partition of ${description}` };
  }

  /** CIDs of known disks that are mounted now. */
  async list(): Promise<string[]> {
    const known = await this.knownDisks();
    const mounts = await this.liveMounts();
    return Object.keys(known).filter((cid) => mounts[cid] !== undefined);
  }

  /** Copies store → store_migration_target, then mounts the new disk on store alone. */
  async migrate(): Promise<void> {
    const mounts = await this.liveMounts();
    const oldCid = Object.keys(mounts).find((cid) => mounts[cid] === this.paths.storeDir);
    const newCid = Object.keys(mounts).find((cid) => mounts[cid] === this.paths.migrationTargetDir);
    if (oldCid === undefined || newCid === undefined) return;
    const newHostPath = await this.hostPathOf(newCid, "Migrating persistent disk");
    try {
      await runChecked("cp", ["-a", `${this.paths.storeDir}/.`, `${this.paths.migrationTargetDir}/`]);
      await runChecked("umount", [this.paths.storeDir]);
      await runChecked("umount", [this.paths.migrationTargetDir]);
      await runChecked("mount", ["--bind", newHostPath, this.paths.storeDir]);
    } catch (error) {
      throw wrap("Migrating persistent disk", error);
    }
    await this.saveMounts({ [newCid]: this.paths.storeDir });
    await writeFileAtomic(this.paths.managedDisk, JSON.stringify({ disk_cid: newCid }), 0o600);
  }

  /** Like the real agent at boot: mount the disk that was mounted last, when it is still known. */
  async remountAtBoot(): Promise<void> {
    const managed = await this.readJson(this.paths.managedDisk);
    const cid = managed.disk_cid;
    if (typeof cid !== "string" || cid === "" || (await this.knownDisks())[cid] === undefined) return;
    await this.mount(cid);
  }

  private async knownDisks(): Promise<Record<string, unknown>> {
    const settings = await this.settings.load();
    return { ...persistentDisks(settings), ...(await this.readJson(this.paths.diskHints)) };
  }

  private async hostPathOf(cid: string, context: string): Promise<string> {
    let value: unknown;
    try {
      value = (await this.knownDisks())[cid];
    } catch (error) {
      throw wrap("Refreshing the settings", error);
    }
    if (value === undefined) throw new Error(`${context}: Persistent disk with volume id '${cid}' could not be found`);
    const path = typeof value === "string" ? value : isRecord(value) && typeof value.path === "string" ? value.path : "";
    if (path === "") throw new Error(`${context}: Persistent disk with volume id '${cid}' has no path in the settings or hint`);
    return path;
  }

  /** The recorded mounts that the kernel still shows (a restarted VM starts with none). */
  private async liveMounts(): Promise<Mounts> {
    const recorded = await this.readJson(this.paths.mounts);
    const table = await readFile("/proc/self/mountinfo", "utf8");
    const mountPoints = new Set(table.split("\n").map((line) => decodeMountPath(line.split(" ")[4] ?? "")));
    const live: Mounts = {};
    for (const [cid, point] of Object.entries(recorded)) if (typeof point === "string" && mountPoints.has(point)) live[cid] = point;
    return live;
  }

  private async saveMounts(mounts: Mounts): Promise<void> {
    await writeFileAtomic(this.paths.mounts, JSON.stringify(mounts), 0o600);
  }

  private async readJson(path: string): Promise<Record<string, unknown>> {
    try {
      const value: unknown = JSON.parse(await readFile(path, "utf8"));
      return isRecord(value) ? value : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.logger.warn(`ignoring unreadable ${path}: ${messageOf(error)}`);
      return {};
    }
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
