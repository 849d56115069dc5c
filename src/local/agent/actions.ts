/**
 * The action table: method name → how it runs (sync/async, cancellable) and what it does.
 * Each action's work lives in a module named after it; this file binds arguments and order.
 */
import { readFile, rm } from "node:fs/promises";
import { isRecord, writeFileAtomic, type Logger } from "../../common/index.js";
import { objectArg, requireArgs, stringArg } from "./action-args.js";
import { wrapAsync } from "./action-error.js";
import type { SpecPackage } from "./apply/apply-spec.js";
import { applySpec, prepareSpec } from "./apply/apply.js";
import type { SpecStore } from "./apply/spec-store.js";
import type { Blobstore } from "./blobstore.js";
import { compilePackage } from "./compile-package.js";
import type { DiskManager } from "./disks.js";
import type { Action } from "./dispatcher.js";
import { fetchLogs } from "./fetch-logs.js";
import { drainJobs, drainParams, runScript } from "./job-scripts.js";
import type { AgentPaths } from "./paths.js";
import { agentId, vmName, type Json, type SettingsService } from "./settings.js";
import type { JobSupervisor } from "./supervisor/job-supervisor.js";
import { collectVitals } from "./vitals.js";
import { registerMonitFiles } from "./supervisor/monit-registration.js";
import { diskActions } from "./disk-actions.js";
import { runErrand } from "./run-errand.js";

export interface AgentServices {
  paths: AgentPaths;
  settingsService: SettingsService;
  specStore: SpecStore;
  blobstore: Blobstore;
  supervisor: JobSupervisor;
  disks: DiskManager;
  logger: Logger;
}

const sync = (run: Action["run"]): Action => ({ async: false, run });
const task = (run: Action["run"], cancellable = false): Action => ({ async: true, cancellable, run });

export function buildActions(s: AgentServices): Record<string, Action> {
  const { paths, specStore, blobstore, supervisor, logger } = s;
  const applyDeps = { paths, blobstore, settingsService: s.settingsService, specStore };
  return {
    ping: sync(async () => "pong"),
    info: sync(async () => ({ api_version: 1 })),
    get_state: sync(async (args) => getState(s, stringArg(args, 0) === "full")),
    apply: task(async (args) => {
      requireArgs(args, 1);
      return applySpec(applyDeps, objectArg(args, 0));
    }),
    prepare: task(async (args) => {
      requireArgs(args, 1);
      return prepareSpec(applyDeps, objectArg(args, 0));
    }),
    start: sync(async () => {
      const spec = await specStore.read();
      await wrapAsync("Configuring jobs", () => registerMonitFiles(paths, spec));
      await wrapAsync("Starting Monitored Services", async () => {
        await supervisor.reload();
        await supervisor.startAll();
      });
      return "started";
    }),
    stop: task(async () => {
      await supervisor.stopAll();
      return "stopped";
    }),
    drain: task(async (args, { signal }) => {
      requireArgs(args, 1);
      const current = await specStore.read();
      const params = drainParams(stringArg(args, 0), current, args.length > 1 ? objectArg(args, 1) : undefined);
      supervisor.unmonitorAll();
      return drainJobs(paths, current, params, signal);
    }, true),
    run_script: task(async (args) => {
      requireArgs(args, 2);
      const options = objectArg(args, 1);
      const env = isRecord(options.env) ? Object.fromEntries(Object.entries(options.env).map(([k, v]) => [k, String(v)])) : {};
      return runScript(paths, await specStore.read(), stringArg(args, 0), env, logger);
    }),
    run_errand: task(async (args, { signal }) => runErrand(paths, await specStore.read(), stringArg(args, 0), signal), true),
    compile_package: task(async (args, { signal }) => {
      requireArgs(args, 5);
      const deps = Object.values(objectArg(args, 4)).filter(isRecord).map(
        (d): SpecPackage => ({ name: String(d.name ?? ""), version: String(d.version ?? ""), sha1: String(d.sha1 ?? ""), blobstore_id: String(d.blobstore_id ?? "") }),
      );
      const request = { blobstoreId: stringArg(args, 0), sha1: stringArg(args, 1), name: stringArg(args, 2), version: stringArg(args, 3), deps };
      return compilePackage(paths, blobstore, request, signal);
    }),
    upload_blob: task(async (args) => {
      requireArgs(args, 1);
      const blob = objectArg(args, 0);
      const id = String(blob.blob_id ?? "");
      await blobstore.putSensitive(id, Buffer.from(String(blob.payload ?? ""), "base64"), String(blob.checksum ?? ""));
      return id;
    }),
    fetch_logs: task(async (args) => {
      requireArgs(args, 2);
      const filters = Array.isArray(args[1]) ? args[1].map(String) : [];
      return fetchLogs(paths, blobstore, stringArg(args, 0), filters);
    }),
    update_settings: task(async (args) => {
      requireArgs(args, 1);
      const current = await readFile(paths.updateSettings, "utf8").then((t) => JSON.parse(t) as Json, () => ({}) as Json);
      await writeFileAtomic(paths.updateSettings, JSON.stringify({ ...current, ...objectArg(args, 0) }), 0o600);
      return "ok";
    }),
    ...diskActions(s.disks),
    remove_file: sync(async (args) => {
      requireArgs(args, 1);
      const path = stringArg(args, 0);
      await rm(path, { force: true });
      return path;
    }),
    delete_arp_entries: sync(async () => ({})),
    ssh: sync(async () => {
      throw new Error("Setting up ssh: not supported by the local agent; use the VM's SSH server (env.bosh.authorized_keys)");
    }),
    shutdown: sync(async () => ""),
  };
}

async function getState(s: AgentServices, full: boolean): Promise<Json> {
  const spec = await s.specStore.read();
  const processes = await s.supervisor.processes();
  const state: Json = {
    ...spec,
    agent_id: agentId(s.settingsService.settings),
    job_state: await s.supervisor.jobState(),
    vm: { name: vmName(s.settingsService.settings) },
  };
  if (processes.length > 0) state.processes = processes;
  if (full) state.vitals = await collectVitals(s.paths, (await s.disks.list()).length > 0);
  return state;
}
