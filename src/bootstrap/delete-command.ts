/**
 * `bootstrap delete`: with no state file it says where it looked and changes nothing.
 * Otherwise, in a session, it installs the CPI (only the CPI release is read) and runs the
 * delete plan: VMs, disks and stemcells it recorded, then the state file (its backup stays),
 * the CPI journal and the installation (also bosh-cli's, when the state came from `bosh
 * create-env`). A journal that still holds calls whose outcome nobody knows stays, and says so.
 * With no state file but such a journal (a first deploy killed early), it adopts what it can.
 */
import { access, rm } from "node:fs/promises";
import { join } from "node:path";
import { pendingCallCount } from "../cpi-runner/index.js";
import { cpiJournalDirOf } from "../state/index.js";
import { applyDeletion } from "./apply-deletion.js";
import { beginCommand } from "./begin-command.js";
import { planDeletion } from "./plan-deletion.js";
import { resolveCpiReleases } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { withSession } from "./session.js";

export interface DeleteOptions extends ManifestOptions {
  skipDrain: boolean;
}

export interface DeleteResult {
  deleted: boolean;
  statePath: string;
}

export async function runDelete(opts: DeleteOptions, rt: Runtime): Promise<DeleteResult> {
  const start = beginCommand(opts, rt);
  const { reporter, paths, statePath } = start;
  if (!(await exists(statePath)) && (await pendingCallCount(cpiJournalDirOf(statePath))) === 0) {
    reporter.info(`No deployment state file found at '${statePath}': nothing to delete.`);
    return { deleted: false, statePath };
  }
  return withSession("delete", start, opts, rt, async (session) => {
    const { manifest } = session.loaded;
    const state = session.state;
    const plan = planDeletion(state.state, session.orphanVms);
    // Only a step that calls the CPI needs its release and its installation.
    const needsCpi = plan.steps.some((step) => step.kind !== "forget-deployment");
    const cpiReleases = needsCpi ? await reporter.stageOf("validating", () => resolveCpiReleases(manifest, paths, reporter, rt.logger, rt.signal)) : [];
    const current = state.state.stemcells.find((s) => s.id === state.state.current_stemcell_id);
    const context = needsCpi ? await session.stageContext(cpiReleases, current?.api_version ?? 1) : undefined;
    const installationId = state.state.installation_id;
    await applyDeletion(reporter, context, plan, {
      skipDrain: opts.skipDrain,
      forgetDeployment: async () => {
        await state.remove();
        const kept = await pendingCallCount(cpiJournalDirOf(statePath));
        if (kept === 0) await rm(cpiJournalDirOf(statePath), { recursive: true, force: true });
        else reporter.warn(`Kept the CPI journal ${cpiJournalDirOf(statePath)}: it holds ${kept} call(s) whose outcome is unknown (see the warnings above).`);
        await rm(join(paths.installations, installationId), { recursive: true, force: true });
        await rm(join(paths.boshCliInstallations, installationId), { recursive: true, force: true });
      },
    });
    return { deleted: true, statePath };
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
