/**
 * The agent's directory layout under its base dir (`/var/vcap` on a VM), as the real agent's
 * directories provider defines it. Outside a VM (tests) the base dir is a temp dir, and paths
 * that the settings name under `/var/vcap/` are mapped under it.
 */
import { join } from "node:path";

const VCAP_ROOT = "/var/vcap";

export class AgentPaths {
  constructor(readonly base: string) {}

  /** A `/var/vcap/...` path as seen from this agent (identity when base is /var/vcap). */
  mapVcapPath(path: string): string {
    if (this.base === VCAP_ROOT) return path;
    if (path === VCAP_ROOT) return this.base;
    if (path.startsWith(`${VCAP_ROOT}/`)) return join(this.base, path.slice(VCAP_ROOT.length + 1));
    return path;
  }

  get boshDir(): string { return join(this.base, "bosh"); }
  get agentLog(): string { return join(this.base, "bosh", "log", "current"); }
  get settingsCache(): string { return join(this.base, "bosh", "settings.json"); }
  get updateSettings(): string { return join(this.base, "bosh", "update_settings.json"); }
  get diskHints(): string { return join(this.base, "bosh", "persistent_disk_hints.json"); }
  get managedDisk(): string { return join(this.base, "bosh", "managed_disk_settings.json"); }
  get mounts(): string { return join(this.base, "bosh", "mounts.json"); }
  get specFile(): string { return join(this.base, "bosh", "spec.json"); }
  get dataDir(): string { return join(this.base, "data"); }
  get blobsDir(): string { return join(this.base, "data", "blobs"); }
  get sensitiveBlobsDir(): string { return join(this.base, "data", "sensitive_blobs"); }
  get tmpDir(): string { return join(this.base, "data", "tmp"); }
  get jobsDir(): string { return join(this.base, "jobs"); }
  get packagesDir(): string { return join(this.base, "packages"); }
  get dataJobsDir(): string { return join(this.base, "data", "jobs"); }
  get dataPackagesDir(): string { return join(this.base, "data", "packages"); }
  get compileDir(): string { return join(this.base, "data", "compile"); }
  get dataSysDir(): string { return join(this.base, "data", "sys"); }
  get sysDir(): string { return join(this.base, "sys"); }
  get sysLogDir(): string { return join(this.base, "sys", "log"); }
  get monitJobDir(): string { return join(this.base, "monit", "job"); }
  get monitStopped(): string { return join(this.base, "monit", "stopped"); }
  get instanceDir(): string { return join(this.base, "instance"); }
  get storeDir(): string { return join(this.base, "store"); }
  get migrationTargetDir(): string { return join(this.base, "store_migration_target"); }
}
