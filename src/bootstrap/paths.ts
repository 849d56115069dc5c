/** Where bootstrap keeps its caches, installations and logs: $BOOTSTRAP_HOME or ~/.bootstrap. */
import { homedir } from "node:os";
import { join } from "node:path";
import { extraCaFileFrom } from "../artefacts/index.js";

export interface BootstrapPaths {
  home: string;
  downloads: string;
  inspectCache: string;
  compiledPackages: string;
  installations: string;
  logs: string;
  tmp: string;
  /**
   * bosh-cli's installations (~/.bosh/installations/<installation_id>): a state file either tool
   * wrote may have one, and deleting the deployment removes it, as `bosh delete-env` does.
   */
  boshCliInstallations: string;
  /** NODE_EXTRA_CA_CERTS, as the CLI's launcher hands it over to be read only by a download. */
  downloadExtraCaFile: string | undefined;
}

export function bootstrapPaths(env: NodeJS.ProcessEnv): BootstrapPaths {
  const userHome = env["HOME"] ?? homedir();
  const home = env["BOOTSTRAP_HOME"] ?? join(userHome, ".bootstrap");
  return {
    home,
    downloads: join(home, "downloads"),
    inspectCache: join(home, "cache"),
    compiledPackages: join(home, "compiled-packages"),
    installations: join(home, "installations"),
    logs: join(home, "logs"),
    tmp: join(home, "tmp"),
    boshCliInstallations: join(userHome, ".bosh", "installations"),
    downloadExtraCaFile: extraCaFileFrom(env),
  };
}
