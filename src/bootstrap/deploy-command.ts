/**
 * `bootstrap deploy`: in a session (lock, adoption, lazy CPI), resolve the artefacts, plan, and
 * run the plan's steps; with no step, nothing else happens (no CPI install, no extraction).
 * What a step needs but does not depend on the steps before it starts early, off the critical
 * path: the embedded Ruby's boot, and the stemcell image's extraction (during validation when
 * the stemcell is new to this machine, else beside the CPI's installation).
 */
import { join } from "node:path";
import { openCompiledPackageCache, streamPackageArchives, warmUpTemplateEngine } from "../director-release/index.js";
import type { Logger } from "../common/index.js";
import type { LoadedManifest } from "../manifest/index.js";
import type { StateHandle } from "../state/index.js";
import { extractStemcellImage } from "../stemcell/index.js";
import { applyDeployment } from "./apply-deployment.js";
import { beginCommand } from "./begin-command.js";
import { directorUrlOf } from "./director-access.js";
import { instanceIdentity, prepareInstanceWork } from "./instance-work.js";
import { JOB_STATE_POLL_MS } from "./job-lifecycle.js";
import { deployPlanInput, releaseVersions } from "./plan-input.js";
import { planDeployment } from "./plan-deployment.js";
import { planCallsCpi, type DeployPlan } from "./plan-types.js";
import type { CpiPort } from "./ports.js";
import type { Reporter } from "./reporter.js";
import { resolveArtefacts, type ResolvedArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { withSession, type Session } from "./session.js";
import type { InstanceJobs } from "./update-instance.js";
import { vmInputDigests } from "./vm-inputs.js";

export interface DeployOptions extends ManifestOptions {
  recreate: boolean;
  recreatePersistentDisks: boolean;
  skipDrain: boolean;
  agentTimeoutMs: number;
}

export interface DeployResult {
  changed: boolean;
  /** Nothing changed, but the jobs `bootstrap stop` had stopped were started again. */
  startedStoppedJobs: boolean;
  changes: string[];
  statePath: string;
  varsStore?: string | undefined;
  address: string;
  /** https://address:port when the instance group runs a job named "director" (bosh's convention). */
  directorUrl?: string | undefined;
  generated: string[];
}

export async function runDeploy(opts: DeployOptions, rt: Runtime): Promise<DeployResult> {
  const start = beginCommand(opts, rt);
  return withSession(
    "deploy",
    start,
    opts,
    rt,
    async (session) => {
      const { reporter, paths } = start;
      const { loaded } = session;
      const { manifest } = loaded;
      // Asked for once the plan acts (or answers): keys made while the artefacts are validated would take a core from it.
      let whole: Promise<LoadedManifest> | undefined;
      const complete = (): Promise<LoadedManifest> => (whole ??= completeManifest(loaded, reporter, rt.logger));
      // A stemcell read for the first time is extracted as it is validated: its image sits behind
      // stemcell.MF, so finding one passes over the other anyway.
      const stemcellDir = async (): Promise<string> => join(await session.workDir(), "stemcell");
      const artefacts = await reporter.stageOf("validating", () => resolveArtefacts(manifest, paths, reporter, rt.logger, rt.signal, { stemcellDir }));
      const plan = planDeployment(deployPlanInput(loaded, artefacts, session.state.state, opts, session.orphanVms));
      const result = async (): Promise<DeployResult> => {
        const { generated, manifest: completed } = await complete();
        return {
          changed: plan.changes.length > 0,
          startedStoppedJobs: plan.steps.some((s) => s.kind === "start-jobs"),
          changes: plan.changes,
          statePath: start.statePath,
          varsStore: opts.varFlags.varsStore,
          address: manifest.address,
          directorUrl: directorUrlOf(completed),
          generated,
        };
      };
      if (plan.steps.length === 0) {
        reporter.info("No deployment, stemcell or release changes. Skipping deploy.");
        return result();
      }
      if (plan.changes.length === 0) reporter.info("No deployment, stemcell or release changes.");
      for (const note of plan.notes) reporter.warn(note);

      const wholeManifest = complete();
      // Ruby boots in its own process meanwhile: the CPI's installation and the VM's start need none.
      if (plan.steps.some((s) => s.kind === "render-jobs")) warmUpTemplateEngine();
      const workDir = await session.workDir();
      // Otherwise (its summary was cached) the image is extracted while the CPI installs: neither
      // needs the other. A failure is reported by the upload step that awaits it, as before.
      const extractImage = artefacts.stemcell.image ?? ((): Promise<string> => extractStemcellImage(artefacts.stemcell.tarball, join(workDir, "stemcell"), rt.signal));
      const image = plan.steps.some((s) => s.kind === "upload-stemcell") ? extractImage() : undefined;
      image?.catch(() => undefined);
      try {
        await applyPlan(session, wholeManifest, plan, artefacts, { workDir, extractImage: () => image ?? extractImage() }, opts, rt);
      } finally {
        // The session removes the scratch directory next: not while the image is still being written there.
        await image?.catch(() => undefined);
      }
      return result();
    },
    { stateOpened: warmUpForFirstDeploy },
  );
}

/**
 * No deploy recorded: this one renders job templates (the CPI's, then the instance's), so Ruby
 * boots in its process while the manifest's variables are generated, not after.
 */
function warmUpForFirstDeploy(state: StateHandle): void {
  if (state.state.current_manifest_sha === "") warmUpTemplateEngine();
}

/**
 * The manifest with every variable: at once, or once the late ones are generated into the vars
 * store (a first deploy, see LoadedManifest.late), saying then the warnings only they brought.
 */
function completeManifest(loaded: LoadedManifest, reporter: Reporter, logger: Logger): Promise<LoadedManifest> {
  const late = loaded.late;
  if (late === undefined) return Promise.resolve(loaded);
  const started = performance.now();
  return settledLater(
    late.complete.get().then((complete) => {
      logger.debug(`variables used only by job properties generated meanwhile (${late.names.join(", ")}) after ${Math.round(performance.now() - started)} ms`);
      for (const warning of complete.warnings) if (!loaded.warnings.includes(warning)) reporter.warn(warning);
      return complete;
    }),
  );
}

/** A promise a later step awaits: when a step before it fails, nobody does, and its failure is that step's to report. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

async function applyPlan(
  session: Session,
  whole: Promise<LoadedManifest>,
  plan: DeployPlan,
  artefacts: ResolvedArtefacts,
  scratch: { workDir: string; extractImage: () => Promise<string> },
  opts: DeployOptions,
  rt: Runtime,
): Promise<void> {
  const { reporter, paths } = session.start;
  const { manifest } = session.loaded;
  const stemcell = artefacts.stemcell.summary;
  // An in-place update (or restarting stopped jobs) talks to the agent only: no CPI install, no CPI process.
  const callsCpi = planCallsCpi(plan);
  const ctx = callsCpi ? await session.stageContext(artefacts.releases, stemcell.apiVersion) : session.agentOnlyContext();
  if (callsCpi) await checkCpiVersion(ctx.cpi, reporter);
  const { workDir } = scratch;
  let jobs: Promise<InstanceJobs> | undefined;
  await applyDeployment(ctx, plan, {
    identity: instanceIdentity(manifest),
    manifestSha: settledLater(whole.then((m) => m.sha512)),
    releases: releaseVersions(artefacts),
    stemcell: {
      name: stemcell.name,
      version: stemcell.version,
      apiVersion: stemcell.apiVersion,
      cloudProperties: stemcell.cloudProperties,
      extractImage: scratch.extractImage,
    },
    resourcePool: manifest.resourcePool,
    diskPool: manifest.diskPool,
    tags: manifest.tags,
    vmInputs: vmInputDigests(manifest),
    skipDrain: opts.skipDrain,
    agentTimeoutMs: opts.agentTimeoutMs,
    address: manifest.address,
    // Job properties may hold late variables: the jobs are rendered from the whole manifest.
    instanceJobs: () => (jobs ??= whole.then((m) => prepareInstanceWork(m.manifest, artefacts.releases, workDir))),
    compile: {
      stemcell: { os: stemcell.operatingSystem, version: stemcell.version },
      cache: openCompiledPackageCache(paths.compiledPackages, (message) => reporter.warn(message)),
      archives: streamPackageArchives,
      workDir,
    },
    watchTime: { startMs: manifest.update.watchTimeStartMs, endMs: manifest.update.watchTimeEndMs },
    pollIntervalMs: JOB_STATE_POLL_MS,
    tool: rt.tool,
  });
}

/**
 * bosh-cli refuses anything below CPI API v2; we also drive v1 CPIs (no disk hints, create_vm
 * returns a bare CID) but say so, since such a CPI must hand disk settings to the agent itself.
 * (A stemcell below api_version 2 never gets here: resolveArtefacts refuses it.)
 */
async function checkCpiVersion(cpi: CpiPort, reporter: Reporter): Promise<void> {
  const info = await cpi.info();
  if (info.api_version < 2) {
    reporter.warn(`The CPI speaks API v${info.api_version}; with less than v2 no disk hints are passed to the agent.`);
  }
}
