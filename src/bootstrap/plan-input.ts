/**
 * The deploy plan's input, built one way for `deploy` and `plan`, so both judge a manifest
 * against the state by the same facts.
 */
import type { LoadedManifest } from "../manifest/index.js";
import type { PlanInput, RecordedState } from "./plan-deployment.js";
import type { ResolvedArtefacts } from "./resolve-artefacts.js";
import { vmInputDigests } from "./vm-inputs.js";

export interface PlanFlags {
  recreate: boolean;
  recreatePersistentDisks: boolean;
}

export function deployPlanInput(
  loaded: LoadedManifest,
  artefacts: ResolvedArtefacts,
  state: RecordedState | undefined,
  flags: PlanFlags,
  orphanVms: readonly string[],
): PlanInput {
  return {
    manifestSha: loaded.sha512,
    diskPool: loaded.manifest.diskPool,
    stemcell: { name: artefacts.stemcell.summary.name, version: artefacts.stemcell.summary.version },
    releases: releaseVersions(artefacts),
    vmInputs: vmInputDigests(loaded.manifest),
    instanceName: `${loaded.manifest.instanceGroup.name}/0`,
    state,
    recreate: flags.recreate,
    recreatePersistentDisks: flags.recreatePersistentDisks,
    orphanVms,
  };
}

export function releaseVersions(artefacts: Pick<ResolvedArtefacts, "releases">): { name: string; version: string }[] {
  return artefacts.releases.map((r) => ({ name: r.name, version: r.summary.version }));
}
