/**
 * Wires the agent together and runs it until SIGTERM/SIGINT: settings → directories → job
 * supervisor → actions → HTTPS mbus. Like the real agent, the mbus only listens once everything
 * else is ready, so a client's first successful ping means the agent can take work.
 */
import { mkdir, readFile, symlink, lstat } from "node:fs/promises";
import { once } from "node:events";
import { totalmem } from "node:os";
import { FileLogger, isRecord, messageOf, registerSecret, type Logger } from "../../common/index.js";
import { buildActions } from "./actions.js";
import { Blobstore } from "./blobstore.js";
import type { AgentArgs } from "./cli-args.js";
import { Dispatcher } from "./dispatcher.js";
import { createMbusServer } from "./https-server.js";
import { mbusConfig } from "./mbus-config.js";
import { AgentPaths } from "./paths.js";
import { localBlobstorePath, readSettingsSourcePath, SettingsService, type Json } from "./settings.js";
import { TaskService } from "./task-service.js";
import { JobSupervisor } from "./supervisor/job-supervisor.js";
import { DiskManager } from "./disks.js";
import { SpecStore } from "./apply/spec-store.js";

export interface RunningAgent {
  address: { host: string; port: number };
  /** Stops the mbus and every supervised job; resolves when done. */
  shutdown(): Promise<void>;
}

export async function startAgent(args: AgentArgs): Promise<RunningAgent> {
  const paths = new AgentPaths(args.baseDir);
  await mkdir(paths.boshDir, { recursive: true });
  const logger: Logger = new FileLogger(paths.agentLog);
  const settingsService = new SettingsService(await readSettingsSourcePath(args.configPath, paths), paths);
  const settings = await settingsService.load();
  const updateSettings = await readJsonObject(paths.updateSettings);
  const mbus = mbusConfig(settings, updateSettings, settingsService.sourcePath);
  registerSecret(mbus.password);
  registerSecret(mbus.privateKey);
  logger.debug(`agent starting: base ${paths.base}, settings ${settingsService.sourcePath}, mbus ${mbus.host}:${mbus.port}`);

  await createDirectories(paths);
  const blobstore = new Blobstore(paths, localBlobstorePath(settings, updateSettings));
  await blobstore.init();
  const supervisor = new JobSupervisor(paths, logger, totalmem() / 1024);
  const disks = new DiskManager(paths, settingsService, logger);
  await disks.remountAtBoot().catch((error: unknown) => logger.warn(`remounting the last disk failed: ${messageOf(error)}`));
  const tasks = new TaskService();
  const specStore = new SpecStore(paths);
  const actions = buildActions({ paths, settingsService, specStore, blobstore, supervisor, disks, logger });
  const dispatcher = new Dispatcher(actions, tasks, logger);
  const server = createMbusServer({ ...mbus, dispatcher, blobstore, logger });
  server.listen(mbus.port, mbus.host);
  await once(server, "listening");
  await supervisor.resume();
  logger.debug("agent ready");

  return {
    address: { host: mbus.host, port: mbus.port },
    async shutdown() {
      server.close();
      server.closeAllConnections();
      await supervisor.shutdown();
      logger.debug("agent stopped");
    },
  };
}

async function createDirectories(paths: AgentPaths): Promise<void> {
  for (const dir of [paths.dataDir, paths.tmpDir, paths.dataSysDir, `${paths.dataSysDir}/log`, `${paths.dataSysDir}/run`, paths.jobsDir, paths.packagesDir, paths.dataJobsDir, paths.dataPackagesDir, paths.instanceDir, paths.storeDir]) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }
  // sys → data/sys, as on a stemcell, so job logs live on the ephemeral data dir.
  const existing = await lstat(paths.sysDir).catch(() => undefined);
  if (existing === undefined) await symlink(paths.dataSysDir, paths.sysDir);
}

async function readJsonObject(path: string): Promise<Json> {
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}
