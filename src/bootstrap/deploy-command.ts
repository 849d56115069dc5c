/**
 * `bootstrap deploy`: in a session (lock, adoption, lazy CPI), resolve the artefacts, plan, and
 * run the plan's steps; with no step, nothing else happens (no CPI install, no extraction).
 */
import { openCompiledPackageCache, warmUpTemplateEngine } from "../director-release/index.js";
import { extractStemcellImage } from "../stemcell/index.js";
import { applyDeployment } from "./apply-deployment.js";
import { beginCommand } from "./begin-command.js";
import { directorUrlOf } from "./director-access.js";
import { instanceIdentity, prepareInstanceWork } from "./instance-work.js";
import { JOB_STATE_POLL_MS } from "./job-lifecycle.js";
import { deployPlanInput, releaseVersions } from "./plan-input.js";
import { planDeployment } from "./plan-deployment.js";
import { planCallsCpi } from "./plan-types.js";
import type { CpiPort } from "./ports.js";
import type { Reporter } from "./reporter.js";
import { resolveArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { withSession } from "./session.js";
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
  return withSession("deploy", start, opts, rt, async (session) => {
    const { reporter, paths } = start;
    const { loaded } = session;
    const { manifest } = loaded;
    const artefacts = await reporter.stageOf("validating", () => resolveArtefacts(manifest, paths, reporter, rt.logger, rt.signal));
    const plan = planDeployment(deployPlanInput(loaded, artefacts, session.state.state, opts, session.orphanVms));
    const result: DeployResult = {
      changed: plan.changes.length > 0,
      startedStoppedJobs: plan.steps.some((s) => s.kind === "start-jobs"),
      changes: plan.changes,
      statePath: start.statePath,
      varsStore: opts.varFlags.varsStore,
      address: manifest.address,
      directorUrl: directorUrlOf(manifest),
      generated: loaded.generated,
    };
    if (plan.steps.length === 0) {
      reporter.info("No deployment, stemcell or release changes. Skipping deploy.");
      return result;
    }
    if (plan.changes.length === 0) reporter.info("No deployment, stemcell or release changes.");
    for (const note of plan.notes) reporter.warn(note);

    // Ruby boots on its own thread meanwhile: the CPI's installation and the VM's start need none.
    if (plan.steps.some((s) => s.kind === "render-jobs")) warmUpTemplateEngine();
    const stemcell = artefacts.stemcell.summary;
    // An in-place update (or restarting stopped jobs) talks to the agent only: no CPI install, no CPI process.
    const callsCpi = planCallsCpi(plan);
    const ctx = callsCpi ? await session.stageContext(artefacts.releases, stemcell.apiVersion) : session.agentOnlyContext();
    if (callsCpi) await checkCpiVersion(ctx.cpi, reporter);
    const workDir = await session.workDir();
    let jobs: Promise<InstanceJobs> | undefined;
    await applyDeployment(ctx, plan, {
      identity: instanceIdentity(manifest),
      manifestSha: loaded.sha512,
      releases: releaseVersions(artefacts),
      stemcell: {
        name: stemcell.name,
        version: stemcell.version,
        apiVersion: stemcell.apiVersion,
        cloudProperties: stemcell.cloudProperties,
        extractImage: () => extractStemcellImage(artefacts.stemcell.tarball, workDir),
      },
      resourcePool: manifest.resourcePool,
      diskPool: manifest.diskPool,
      tags: manifest.tags,
      vmInputs: vmInputDigests(manifest),
      skipDrain: opts.skipDrain,
      agentTimeoutMs: opts.agentTimeoutMs,
      address: manifest.address,
      instanceJobs: () => (jobs ??= prepareInstanceWork(manifest, artefacts.releases, workDir)),
      compile: {
        stemcell: { os: stemcell.operatingSystem, version: stemcell.version },
        cache: openCompiledPackageCache(paths.compiledPackages, (message) => reporter.warn(message)),
        workDir,
      },
      watchTime: { startMs: manifest.update.watchTimeStartMs, endMs: manifest.update.watchTimeEndMs },
      pollIntervalMs: JOB_STATE_POLL_MS,
      tool: rt.tool,
    });
    return result;
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
