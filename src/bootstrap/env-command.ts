/**
 * `bootstrap env`: what a client needs to reach the deployed director (BOSH_ENVIRONMENT,
 * BOSH_CA_CERT, BOSH_CLIENT, BOSH_CLIENT_SECRET). Read-only like plan: no lock, no state or
 * vars-store write. Variables the vars store lacks are refused, never generated (not even in
 * memory): a CA or password made up now is not the deployed director's, and its keys would
 * take seconds to make only to be refused.
 */
import { BootstrapError } from "../common/index.js";
import { VariablesMissingError } from "../manifest/index.js";
import { readState } from "../state/index.js";
import { beginCommand, loadManifest } from "./begin-command.js";
import { directorAccess, type DirectorAccess } from "./director-access.js";
import type { ManifestOptions, Runtime } from "./runtime.js";

export type EnvOptions = ManifestOptions;

export interface EnvResult extends DirectorAccess {
  statePath: string;
}

export async function runEnv(opts: EnvOptions, rt: Runtime): Promise<EnvResult> {
  const start = beginCommand(opts, rt);
  const { reporter, statePath } = start;
  const state = await readState(statePath);
  if (state === undefined || state.current_vm_cid === "" || state.current_manifest_sha === "") {
    throw new BootstrapError("NOT_DEPLOYED", `No deployed director is recorded in the state file '${statePath}'.`, {
      hint: "Deploy it first (bootstrap deploy with the same manifest, flags and --state), or name the state file it was deployed with.",
    });
  }
  const loaded = await loadManifest(opts, rt, start, "read-only").catch((error: unknown) => {
    if (!(error instanceof VariablesMissingError)) throw error;
    throw new BootstrapError("NOT_DEPLOYED", `The variables ${error.names.join(", ")} have no value: the director was not deployed with these variables.`, {
      hint: "Pass the --vars-store (and -v/-l flags) the director was deployed with.",
      cause: error,
    });
  });
  if (loaded.sha512 !== state.current_manifest_sha) {
    reporter.warn("The manifest (after ops files and variables) differs from the one last deployed: the values are for the manifest as given; run deploy to apply it.");
  }
  if (state.jobs_stopped_at !== undefined) {
    reporter.warn(`The director is stopped ('bootstrap stop' at ${state.jobs_stopped_at}): it answers again after 'bootstrap start'.`);
  }
  const access = directorAccess(loaded.manifest, loaded.variables);
  for (const note of access.notes) reporter.info(note);
  return { ...access, statePath };
}
