/**
 * `bootstrap delete`: with no state file it says where it looked and changes nothing.
 * Otherwise it installs the CPI (only the CPI release is read), deletes the VM, disks and
 * stemcells it recorded, then removes the state file (its backup stays) and the installation
 * (also bosh-cli's, when the state came from `bosh create-env`).
 */
import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { recoverPendingCalls } from "../cpi-runner/index.js";
import { cpiJournalDirOf, openState } from "../state/index.js";
import { applyDeletion } from "./apply-deletion.js";
import { planDeletion } from "./plan-deletion.js";
import { adoptRecoveredCalls } from "./recover-calls.js";
import { beginCommand, loadManifest } from "./begin-command.js";
import { resolveArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { installCpiForManifest, stageContextFor } from "./wiring.js";

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
  if (!(await exists(statePath))) {
    reporter.info(`No deployment state file found at '${statePath}': nothing to delete.`);
    return { deleted: false, statePath };
  }

  const { manifest } = await loadManifest(opts, rt, start, "write");
  const handle = await openState(statePath, { command: "delete", logger: rt.logger });
  try {
    for (const warning of handle.warnings) reporter.warn(warning);
    const adoption = await adoptRecoveredCalls(handle, await recoverPendingCalls(cpiJournalDirOf(statePath), rt.logger, rt.signal));
    for (const message of adoption.messages) reporter.warn(message);

    const cpiReleases = manifest.cloudProvider.templates.map((t) => t.release);
    const resolved = await reporter.stageOf("validating", () =>
      resolveArtefacts(manifest, paths, reporter, rt.logger, rt.signal, { releases: cpiReleases, stemcell: false }),
    );
    await mkdir(paths.tmp, { recursive: true });
    const workDir = await mkdtemp(join(paths.tmp, "delete-"));
    const installationDir = join(paths.installations, handle.state.installation_id);
    try {
      const installation = await reporter.stageOf("installing CPI", () =>
        installCpiForManifest(manifest, resolved.releases, handle.state.installation_id, paths, workDir, reporter, rt),
      );
      const current = handle.state.stemcells.find((s) => s.id === handle.state.current_stemcell_id);
      const { ctx } = stageContextFor({ manifest, state: handle, installation, stemcellApiVersion: current?.api_version ?? 1, reporter, rt });
      const orphans = adoption.orphanVms.map((cid) => ({ kind: "delete-vm" as const, cid, reason: "left by an interrupted run" }));
      const plan = planDeletion(handle.state);
      await applyDeletion(ctx, { steps: [...orphans, ...plan.steps] }, { skipDrain: opts.skipDrain });
      await reporter.step("Uninstalling local artifacts for CPI and deployment", async () => {
        await handle.remove();
        await rm(cpiJournalDirOf(statePath), { recursive: true, force: true });
        await rm(installationDir, { recursive: true, force: true });
        await rm(join(paths.boshCliInstallations, handle.state.installation_id), { recursive: true, force: true });
      });
      return { deleted: true, statePath };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
