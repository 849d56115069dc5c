/**
 * What every command does first: say which manifest and state file it works on (absolute
 * paths, as the user should see them), and load the manifest with the command's flags.
 */
import { resolve } from "node:path";
import { loadBootstrapManifest, type GenerationMode, type LoadedManifest } from "../manifest/index.js";
import { defaultStatePath } from "../state/index.js";
import { bootstrapPaths, type BootstrapPaths } from "./paths.js";
import { Reporter } from "./reporter.js";
import type { ManifestOptions, Runtime } from "./runtime.js";

export interface CommandStart {
  reporter: Reporter;
  paths: BootstrapPaths;
  manifestPath: string;
  statePath: string;
}

export function beginCommand(opts: ManifestOptions, rt: Runtime): CommandStart {
  const reporter = new Reporter(rt.events, rt.signal);
  const manifestPath = resolve(rt.cwd, opts.manifestPath);
  const statePath = opts.statePath !== undefined ? resolve(rt.cwd, opts.statePath) : defaultStatePath(manifestPath);
  reporter.info(`Deployment manifest: '${manifestPath}'`);
  reporter.info(`Deployment state: '${statePath}'`);
  return { reporter, paths: bootstrapPaths(rt.env), manifestPath, statePath };
}

/**
 * "dry-run" generates missing variables in memory only (for plan); "write" saves them. A
 * certificate or key that does not parse is refused unless `credentials` is "warn" (delete);
 * what the manifest's credentials warn about is said here, once.
 */
export async function loadManifest(
  opts: ManifestOptions,
  rt: Runtime,
  start: CommandStart,
  generation: GenerationMode,
  credentials: "refuse" | "warn" = "refuse",
  deferLate = false,
): Promise<LoadedManifest> {
  const loaded = await loadBootstrapManifest({
    manifestPath: start.manifestPath,
    opsFiles: opts.opsFiles,
    varFlags: opts.varFlags,
    env: rt.env,
    cwd: rt.cwd,
    generation,
    signal: rt.signal,
    credentials,
    deferLate,
  });
  for (const warning of loaded.warnings) start.reporter.warn(warning);
  return loaded;
}
