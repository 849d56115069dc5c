/**
 * One session for every command that changes things (deploy, delete): the manifest loaded with
 * the command's flags, the state file locked, its warnings shown, the calls of an interrupted
 * run adopted, a scratch directory, the CPI installed on first use (a no-op run installs
 * nothing), and all of it released however the command ends. Commands are then only their
 * plan and its steps.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { createAgentClient } from "../agent-client/index.js";
import { CpiClient, recoverPendingCalls } from "../cpi-runner/index.js";
import type { BootstrapManifest, LoadedManifest } from "../manifest/index.js";
import { cpiJournalDirOf, openState, type DeploymentState, type StateHandle } from "../state/index.js";
import { loadManifest, type CommandStart } from "./begin-command.js";
import { installCpiForManifest } from "./install-cpi.js";
import type { AgentPort, StageContext } from "./ports.js";
import { adoptRecoveredCalls } from "./recover-calls.js";
import type { ResolvedRelease } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";

export interface Session {
  readonly start: CommandStart;
  readonly loaded: LoadedManifest;
  readonly state: StateHandle;
  /** VMs an interrupted run created while another VM was current: the plan deletes them. */
  readonly orphanVms: readonly string[];
  /** This run's scratch directory (extracted releases, rendered jobs), made on first use. */
  workDir(): Promise<string>;
  /** Installs the CPI (on the first call only) and returns what the plan's steps run with. */
  stageContext(cpiReleases: readonly ResolvedRelease[], stemcellApiVersion: number): Promise<StageContext>;
}

export async function withSession<T>(
  command: "deploy" | "delete",
  start: CommandStart,
  opts: ManifestOptions,
  rt: Runtime,
  body: (session: Session) => Promise<T>,
): Promise<T> {
  const { reporter, paths, statePath } = start;
  const loaded = await loadManifest(opts, rt, start, "write");
  const handle = await openState(statePath, { command, logger: rt.logger });
  let workDir: Promise<string> | undefined;
  let context: Promise<StageContext> | undefined;
  try {
    for (const warning of handle.warnings) reporter.warn(warning);
    const adoption = await adoptRecoveredCalls(handle, await recoverPendingCalls(cpiJournalDirOf(statePath), rt.logger, rt.signal));
    for (const message of adoption.messages) reporter.warn(message);

    const session: Session = {
      start,
      loaded,
      state: handle,
      orphanVms: adoption.orphanVms,
      workDir: () =>
        (workDir ??= mkdir(paths.tmp, { recursive: true }).then(() => mkdtemp(join(paths.tmp, `${command}-`)))),
      stageContext: (cpiReleases, stemcellApiVersion) =>
        (context ??= (async () => {
          const dir = await session.workDir();
          const installation = await reporter.stageOf("installing CPI", () =>
            installCpiForManifest(loaded.manifest, cpiReleases, handle.state.installation_id, paths, dir, reporter, rt),
          );
          const cpi = new CpiClient({
            installation,
            directorUuid: handle.state.director_id,
            stemcellApiVersion,
            journalDir: cpiJournalDirOf(handle.path),
            logger: rt.logger,
            signal: rt.signal,
            onCall: (e) => rt.events.emit({ type: "cpi-call", ...e }),
          });
          return {
            reporter,
            logger: rt.logger,
            signal: rt.signal,
            state: handle,
            cpi,
            connectAgent: () => connectAgent(loaded.manifest, handle.state, rt),
          };
        })()),
    };
    return await body(session);
  } finally {
    if (workDir !== undefined) {
      const dir = await workDir.catch(() => undefined);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
    await handle.close();
  }
}

/** An agent client for the current VM; its SSH host key is pinned once the state knows it. */
function connectAgent(manifest: BootstrapManifest, state: Readonly<DeploymentState>, rt: Runtime): AgentPort {
  const proxy = rt.env["BOSH_ALL_PROXY"];
  const tunnel = manifest.cloudProvider.sshTunnel;
  const pinned = state.current_vm_ssh_host_key;
  return createAgentClient({
    mbusUrl: manifest.cloudProvider.mbus,
    ...(manifest.cloudProvider.cert !== undefined ? { caCert: manifest.cloudProvider.cert.ca } : {}),
    ...(tunnel !== undefined ? { sshTunnel: pinned === undefined ? tunnel : { ...tunnel, hostKeyFingerprint: pinned } } : {}),
    ...(proxy !== undefined && proxy !== "" ? { allProxy: proxy } : {}),
    directorId: state.director_id,
    logger: rt.logger,
    signal: rt.signal,
  });
}
