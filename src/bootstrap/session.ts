/**
 * One session for every command that changes things (deploy, delete, stop, start): the state file locked,
 * then the manifest loaded with the command's flags (so a run refused by the lock has generated
 * nothing into the vars store), the state's warnings shown, the calls of an interrupted run
 * waited for and adopted, then its scratch directory swept, a scratch directory, the CPI installed on
 * first use (a no-op run installs nothing), and all of it released however the command ends
 * (the embedded Ruby's process too, if a render started one).
 * Commands are then only their plan and its steps.
 */
import { rm } from "node:fs/promises";
import { CpiClient, recoverPendingCalls } from "../cpi-runner/index.js";
import { stopTemplateEngine } from "../director-release/index.js";
import type { LoadedManifest } from "../manifest/index.js";
import { cpiJournalDirOf, openState, type StateHandle } from "../state/index.js";
import { loadManifest, type CommandStart } from "./begin-command.js";
import { connectAgent } from "./connect-agent.js";
import { installCpiForManifest } from "./install-cpi.js";
import type { AgentPort, CpiPort, StageContext } from "./ports.js";
import { adoptRecoveredCalls } from "./recover-calls.js";
import type { ResolvedRelease } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { makeWorkDir, sweepStaleWorkDirs } from "./work-dirs.js";

export interface Session {
  readonly start: CommandStart;
  readonly loaded: LoadedManifest;
  readonly state: StateHandle;
  /** VMs an interrupted run created while another VM was current: the plan deletes them. */
  readonly orphanVms: readonly string[];
  /** This run's scratch directory (extracted releases, rendered jobs), made on first use. */
  workDir(): Promise<string>;
  /** A fresh agent client for the current VM, with the state's pins (stop and start need no CPI). */
  connectAgent(): AgentPort;
  /** Installs the CPI (on the first call only) and returns what the plan's steps run with. */
  stageContext(cpiReleases: readonly ResolvedRelease[], stemcellApiVersion: number): Promise<StageContext>;
  /** What the steps of a plan that calls no CPI method run with: the CPI is not installed. */
  agentOnlyContext(): StageContext;
}

/** What a command starts before the manifest is loaded (generating its variables can take seconds). */
export interface SessionHooks {
  stateOpened?(state: StateHandle): void;
}

export async function withSession<T>(
  command: "deploy" | "delete" | "stop" | "start",
  start: CommandStart,
  opts: ManifestOptions,
  rt: Runtime,
  body: (session: Session) => Promise<T>,
  hooks: SessionHooks = {},
): Promise<T> {
  const { reporter, paths, statePath } = start;
  // Delete removes every record it holds whatever `current_*` names; deploy would act on it.
  const tolerant = command === "delete";
  const handle = await openState(statePath, { command, logger: rt.logger, danglingReferences: tolerant ? "warn" : "refuse" });
  let workDir: Promise<string> | undefined;
  let context: Promise<StageContext> | undefined;
  let late: NonNullable<LoadedManifest["late"]>["complete"] | undefined;
  // Every agent client of the run says the same trust warnings: the user reads each once.
  const warned = new Set<string>();
  const warnOnce = (message: string): void => {
    if (!warned.has(message)) reporter.warn(message);
    warned.add(message);
  };
  try {
    for (const warning of handle.warnings) reporter.warn(warning);
    hooks.stateOpened?.(handle);
    // A first deploy's plan does not depend on job properties (nothing recorded to compare them
    // with), so variables only they use are generated once it acts, while the CPI, the VM and
    // the disk are made.
    const firstDeploy = command === "deploy" && handle.state.current_manifest_sha === "";
    const loaded = await loadManifest(opts, rt, start, "write", tolerant ? "warn" : "refuse", firstDeploy);
    late = loaded.late?.complete;
    const adoption = await adoptRecoveredCalls(handle, await recoverPendingCalls(cpiJournalDirOf(statePath), rt.logger, rt.signal));
    // Only now: a killed run's CPI call may still have been reading its scratch directory (the
    // stemcell image create_stemcell uploads); recovery has waited for every such call to end.
    await sweepStaleWorkDirs(paths.tmp, rt.logger);
    for (const message of adoption.messages) reporter.warn(message);
    const connect = (): AgentPort =>
      connectAgent({ manifest: loaded.manifest, state: handle, env: rt.env, logger: rt.logger, signal: rt.signal, warn: warnOnce });

    const session: Session = {
      start,
      loaded,
      state: handle,
      orphanVms: adoption.orphanVms,
      workDir: () => (workDir ??= makeWorkDir(paths.tmp, command)),
      connectAgent: connect,
      agentOnlyContext: () => ({ reporter, logger: rt.logger, signal: rt.signal, state: handle, cpi: NO_CPI, connectAgent: connect }),
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
            connectAgent: connect,
            forgetOrphanVm: adoption.forgetOrphanVm,
          };
        })()),
    };
    return await body(session);
  } finally {
    // However the command ended, the vars store is written (or not) and unlocked before it returns.
    // Generation begun is let finish: the vars store keeps each value whole, and is left unlocked.
    await late?.begun?.catch(() => undefined);
    // A library caller's process lives on after the command: the Ruby it started must not.
    stopTemplateEngine();
    if (workDir !== undefined) {
      const dir = await workDir.catch(() => undefined);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
    await handle.close();
  }
}

/** The CPI of a run whose plan has no CPI step: a call is the planner's bug, not the user's. */
const NO_CPI = new Proxy({} as CpiPort, {
  get: (_target, method) => () => Promise.reject(new Error(`CPI method '${String(method)}' was called by a plan that has no step needing the CPI`)),
});
