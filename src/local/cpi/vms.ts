/**
 * create_vm, delete_vm, has_vm, reboot_vm, set_vm_metadata, get_disks.
 * A VM is <base>/vms/<cid>/ (record, root/ = its /var/vcap, SSH host key and config; for a
 * root CPI also etc/ and rootfs/ of its sandbox) plus one process tree in its namespaces, its
 * cgroups and, for an address outside 127.0.0.0/8, its network (../vm/launch.ts).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateHostKey, HOST_KEY_FILE, type SshdConfig } from "../sshd/index.js";
import {
  detectIsolation,
  disconnectVm,
  ensureEtcTemplate,
  etcTemplate,
  findVmDirAnywhere,
  findVmProcesses,
  isVmRunning,
  launchVm,
  logTail,
  ownByVm,
  prepareVmEtc,
  releaseVmCgroups,
  stopVm,
  userNamespacesAllowed,
  VM_MOUNT_POINT,
  VM_ROOT_UID,
  waitFor,
  type Isolation,
  type VmAddress,
} from "../vm/index.js";
import { buildAgentSettings, defaultNetworkAddress, isLoopbackIpv4, type AgentSettings } from "./agent-settings.js";
import type { CpiConfig } from "./config.js";
import { isLocalCid, SETTINGS_IN_VM_ROOT, type InventoryPaths } from "./inventory-paths.js";
import { releaseIp, reserveIp, type IpHolder } from "./ip-reservations.js";
import { cloudError, vmNotFound } from "../shared/index.js";
import { readJson, writeJson, type DiskRecord, type VmRecord, type VmSandboxRecord } from "./records.js";
import { vmLimits } from "./vm-limits.js";
import { installSshdProgram } from "./sshd-location.js";
import { moveToTrashAndRemove } from "./trash.js";

const run = promisify(execFile);
const SSHD_READY_IN_VM = "bosh/sshd.ready";
const SSHD_START_TIMEOUT_MS = 60_000;

export interface CpiContext {
  paths: InventoryPaths;
  config: CpiConfig;
  /** Path of the running CPI program, to find the SSH server beside it. */
  cpiScript: string;
}

export interface CreateVmInput {
  agentId: string;
  stemcellCid: string;
  cloudProperties: Record<string, unknown>;
  networks: Record<string, unknown>;
  env: Record<string, unknown>;
}

export async function createVm(ctx: CpiContext, input: CreateVmInput): Promise<string> {
  const { paths } = ctx;
  if (!isLocalCid(input.stemcellCid) || !existsSync(paths.stemcellImage(input.stemcellCid))) {
    throw cloudError(`Stemcell '${input.stemcellCid}' not found: upload it with create_stemcell first`);
  }
  const address = defaultNetworkAddress(input.networks);
  const { ip } = address;
  const isolation = detectIsolation(VM_MOUNT_POINT);
  const ownNetwork = !isLoopbackIpv4(ip);
  if (ownNetwork && isolation !== "root") {
    throw cloudError(
      `LOCAL_PROVIDER_UNAVAILABLE: IP ${ip} is outside 127.0.0.0/8, so the VM needs a network namespace of its own, which only a CPI running as root can make: ` +
        "run as root, or give the VM an address in 127.0.0.0/8",
    );
  }
  const sandbox = isolation === "root" ? await sandboxFor(paths, ownNetwork ? address : null, input.cloudProperties) : undefined;
  const cid = `vm-${randomUUID()}`;
  await reserveIp(ip, ipHolder(paths, cid));
  const record: VmRecord = { cid, agent_id: input.agentId, ip, stemcell_cid: input.stemcellCid, metadata: {}, ...(sandbox === undefined ? {} : { sandbox }) };
  try {
    await mkdir(paths.vmDir(cid), { recursive: true, mode: 0o700 });
    await writeJson(paths.vmRecord(cid), record);
    await run("cp", ["-a", `${paths.stemcellImage(input.stemcellCid)}/.`, paths.vmRoot(cid)]);
    const uidBase = sandbox?.uid_base ?? undefined;
    if (sandbox !== undefined) {
      // The VM's root reaches its SSH server's files in the VM dir, whose record stays the host's.
      await chmod(paths.vmDir(cid), 0o711);
      await prepareVmEtc({ upper: paths.vmEtc(cid), work: paths.vmEtcWork(cid), hostname: input.agentId, ip, uidBase });
      if (uidBase !== undefined) await ownByVm(paths.vmRoot(cid), uidBase);
    }
      const settings = buildAgentSettings({ ...input, vmCid: cid, vmIp: ip, config: ctx.config });
    await writeSettings(paths, cid, settings);
    const { privateKeyPath } = await generateHostKey(paths.vmDir(cid));
    if (uidBase !== undefined) await chown(privateKeyPath, uidBase, uidBase);
      await startVm(ctx, record, isolation);
      return cid;
  } catch (error) {
    await destroyVm(paths, record).catch(() => undefined);
    throw error;
  }
}

async function sandboxFor(paths: InventoryPaths, network: VmAddress | null, cloudProperties: Record<string, unknown>): Promise<VmSandboxRecord> {
  const limits = vmLimits(cloudProperties);
  const uidBase = userNamespacesAllowed() ? VM_ROOT_UID : undefined;
  return { uid_base: uidBase ?? null, network, limits, etc_template: await etcTemplate(etcTemplatesDir(paths), uidBase) };
}

/**
 * As root, the /etc templates are kept in /run, for every base dir (every HOME) alike: a
 * template is a copy of what the host's /etc lets anyone read, the same whoever asks, and on
 * tmpfs it is made in ~25 ms where writing its thousand-odd files to disk took 1.1-1.3 s on
 * this project's machines (each first VM of a new HOME: every CI run and benchmark round). A
 * reboot empties /run; a VM started again makes its template anew (startVm). An unprivileged
 * CPI cannot write /run and keeps them in its base dir.
 */
const ROOT_ETC_TEMPLATES_DIR = "/run/bootstrap-local/etc-templates";

function etcTemplatesDir(paths: InventoryPaths): string {
  return process.getuid?.() === 0 ? ROOT_ETC_TEMPLATES_DIR : paths.etcTemplates();
}

export async function hasVm(ctx: CpiContext, cid: string): Promise<boolean> {
  const record = await readVm(ctx.paths, cid).catch(() => undefined);
  return record?.processes !== undefined && (await isVmRunning(record.processes));
}

/** A VM whose processes already died is still cleaned up; only an unknown cid is VMNotFound. */
export async function deleteVm(ctx: CpiContext, cid: string): Promise<void> {
  await destroyVm(ctx.paths, await readVm(ctx.paths, cid));
}

export async function rebootVm(ctx: CpiContext, cid: string): Promise<void> {
  const record = await readVm(ctx.paths, cid);
  if (record.processes !== undefined) await stopVm(record.processes);
  const { processes: _stopped, ...stopped } = record;
  await writeJson(ctx.paths.vmRecord(cid), stopped);
  await rm(join(ctx.paths.vmDir(cid), "started"), { force: true });
  await startVm(ctx, stopped, detectIsolation(VM_MOUNT_POINT));
}

export async function setVmMetadata(ctx: CpiContext, cid: string, metadata: Record<string, unknown>): Promise<void> {
  const record = await readVm(ctx.paths, cid);
  await writeJson(ctx.paths.vmRecord(cid), { ...record, metadata: { ...record.metadata, ...metadata } });
}

export async function getDisks(ctx: CpiContext, cid: string): Promise<string[]> {
  await readVm(ctx.paths, cid);
  return (await listDiskRecords(ctx.paths)).filter((d) => d.attached_to === cid).map((d) => d.cid).sort();
}

export async function readVm(paths: InventoryPaths, cid: string): Promise<VmRecord> {
  const record = isLocalCid(cid) ? await readJson<VmRecord>(paths.vmRecord(cid)) : undefined;
  if (record !== undefined) return record;
  // VMNotFound makes the caller forget the VM; say so only when it really is gone, not when it
  // runs from another base dir (a different HOME or local.base_dir than the one that made it).
  const elsewhere = isLocalCid(cid) ? await findVmDirAnywhere(cid) : undefined;
  if (elsewhere !== undefined && dirname(dirname(elsewhere)) !== paths.base) {
    throw cloudError(
      `VM '${cid}' is not in this CPI's inventory (${paths.base}) but is running from ${elsewhere}: ` +
        "run with the HOME (or local.base_dir) that created it",
    );
  }
  throw vmNotFound(cid);
}

export async function readSettings(paths: InventoryPaths, cid: string): Promise<AgentSettings> {
  const settings = await readJson<AgentSettings>(paths.vmSettings(cid));
  if (settings === undefined) throw cloudError(`VM '${cid}' has no agent settings file ${paths.vmSettings(cid)}`);
  return settings;
}

export async function writeSettings(paths: InventoryPaths, cid: string, settings: AgentSettings): Promise<void> {
  const boshDir = join(paths.vmRoot(cid), "bosh");
  await mkdir(boshDir, { recursive: true });
  // It holds the mbus password, hence not world-readable; it belongs to whoever owns the VM's
  // /var/vcap/bosh, so an agent that drops root and takes that directory (as the upstream-agent
  // image does) can still read the file after attach_disk rewrites it.
  const { uid, gid } = await stat(boshDir);
  await writeJson(paths.vmSettings(cid), settings, 0o600, { uid, gid });
}

async function listDiskRecords(paths: InventoryPaths): Promise<DiskRecord[]> {
  const names = await readdir(paths.diskMetaDir()).catch(() => [] as string[]);
  const records = await Promise.all(
    names.filter((n) => n.endsWith(".json")).map((n) => readJson<DiskRecord>(join(paths.diskMetaDir(), n))),
  );
  return records.filter((r): r is DiskRecord => r !== undefined);
}

async function startVm(ctx: CpiContext, record: VmRecord, isolation: Isolation): Promise<void> {
  const { paths, config } = ctx;
  const vmDir = paths.vmDir(record.cid);
  const uidBase = record.sandbox?.uid_base ?? undefined;
  // Paths as the VM's processes see them: the SSH server marks itself ready inside the VM's
  // /var/vcap, which in a sandbox is the only part of the VM dir the VM may write.
  const sshdConfig: SshdConfig = {
    ip: record.ip,
    port: config.sshPort,
    user: config.sshUser,
    hostKeyPath: join(vmDir, HOST_KEY_FILE),
    settingsPath: join(VM_MOUNT_POINT, SETTINGS_IN_VM_ROOT),
    readyFile: join(VM_MOUNT_POINT, SSHD_READY_IN_VM),
  };
  const readyOnHost = join(paths.vmRoot(record.cid), SSHD_READY_IN_VM);
  await rm(readyOnHost, { force: true });
  await writeJson(join(vmDir, "sshd.json"), sshdConfig, 0o600, uidBase === undefined ? undefined : { uid: uidBase, gid: uidBase });
  const sshd = await installSshdProgram(ctx.cpiScript, vmDir);
  await mkdir(paths.disksDir(), { recursive: true });
  if (record.sandbox !== undefined) await ensureEtcTemplate(record.sandbox.etc_template, uidBase);
  const processes = await launchVm({
    isolation,
    vmDir,
    rootDir: paths.vmRoot(record.cid),
    sshd: { config: join(vmDir, "sshd.json"), script: sshd.script, ...(sshd.nodeImport === undefined ? {} : { nodeImport: sshd.nodeImport }) },
    ...(record.sandbox === undefined
      ? {}
      : {
          sandbox: {
            vmCid: record.cid,
            hostname: record.agent_id,
            etc: { lower: record.sandbox.etc_template, upper: paths.vmEtc(record.cid), work: paths.vmEtcWork(record.cid) },
            uidBase,
            readOnlyPaths: sshd.readOnlyPaths,
            writablePaths: [paths.disksDir()],
            network: record.sandbox.network ?? undefined,
            limits: record.sandbox.limits,
          },
        }),
  });
  await writeJson(paths.vmRecord(record.cid), { ...record, processes });
  const ready = await waitFor(async () => existsSync(readyOnHost), SSHD_START_TIMEOUT_MS, 20, dirname(readyOnHost));
  if (!ready) {
    throw cloudError(
      `The VM's SSH server did not start on ${record.ip}:${config.sshPort} within ${SSHD_START_TIMEOUT_MS / 1000}s: ${await logTail(join(paths.vmRoot(record.cid), "bosh", "log", "sshd.log"))}`,
      true,
    );
  }
}

/** Stops the processes, detaches disks, removes the directory, then frees the IP. */
async function destroyVm(paths: InventoryPaths, record: VmRecord): Promise<void> {
  const processes = record.processes ?? (await findVmProcesses(paths.vmDir(record.cid)));
  if (processes !== undefined) await stopVm(processes);
  await releaseVmCgroups(record.cid);
  const network = record.sandbox?.network ?? undefined;
  if (network !== undefined) await disconnectVm(record.cid, network);
  for (const disk of await listDiskRecords(paths)) {
    if (disk.attached_to === record.cid) await writeJson(paths.diskMeta(disk.cid), { ...disk, attached_to: null });
  }
  if (existsSync(paths.vmDir(record.cid))) await moveToTrashAndRemove(paths, paths.vmDir(record.cid));
  await releaseIp(record.ip, ipHolder(paths, record.cid));
}

function ipHolder(paths: InventoryPaths, cid: string): IpHolder {
  return { vm_cid: cid, base_dir: resolve(paths.base) };
}
