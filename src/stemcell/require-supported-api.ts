/**
 * The stemcell API versions a deploy can use. From api_version 2 on, a stemcell's agent takes
 * its settings from what the CPI hands the VM; before that it asked a registry, which neither
 * bootstrap nor bosh-cli runs, so the VM would come up with an agent that never learns its
 * settings. bosh-cli 7.9.13 refuses such a stemcell too, but only after installing the CPI and
 * calling it, and in words about the CPI ("requires CPI v2.0 or greater, you are using 2").
 *
 * A stemcell.MF without api_version is read as 1, as bosh reads it (Go's zero value, then
 * "0 means 1"), and refused alike: that is what it means (such stemcells predate the field's
 * use), and bosh-cli refuses it too. Checked before anything is installed or uploaded.
 */
import { BootstrapError } from "../common/index.js";
import type { StemcellSummary } from "./stemcell-manifest.js";

export const MIN_STEMCELL_API_VERSION = 2;

export function requireSupportedStemcellApi(summary: StemcellSummary, tarball: string): StemcellSummary {
  if (summary.apiVersion >= MIN_STEMCELL_API_VERSION) return summary;
  const declared = summary.apiVersion === 1 ? "api_version 1 (or none: stemcell.MF without api_version reads as 1)" : `api_version ${summary.apiVersion}`;
  throw new BootstrapError(
    "STEMCELL_UNSUPPORTED",
    `Stemcell '${summary.name}/${summary.version}' (${tarball}: stemcell.MF) declares ${declared}; deploying needs api_version ${MIN_STEMCELL_API_VERSION} or later`,
    {
      hint:
        "Its agent would wait for a registry that is not there, after its VM was created. " +
        "Point the manifest's stemcell url at a current stemcell (they declare api_version 3).",
    },
  );
}
