/**
 * The entry point deploy/delete/plan use: evaluate the manifest as create-env does (every
 * variable must resolve), hash the interpolated YAML (the state file's current_manifest_sha),
 * and validate it into a BootstrapManifest.
 */
import { createHash } from "node:crypto";
import { evaluateManifest } from "./evaluate.js";
import { expandPath, type VarFlags } from "./variables/static-vars.js";
import type { GenerationMode } from "./variables/vars-store.js";
import { validateManifest } from "./validate/index.js";
import type { BootstrapManifest } from "./validate/types.js";

export interface ManifestInput {
  manifestPath: string;
  opsFiles: string[];
  varFlags: VarFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** "write": generate missing typed variables into the vars store (saved at once);
      "dry-run": generate in memory only, never write (for `bootstrap plan`). */
  generation: GenerationMode;
}

export interface LoadedManifest {
  manifest: BootstrapManifest;
  /** Hex SHA-512 of the interpolated YAML text. */
  sha512: string;
  /** Variable names generated (or that would be, in dry-run). */
  generated: string[];
}

export async function loadBootstrapManifest(input: ManifestInput): Promise<LoadedManifest> {
  const evaluated = await evaluateManifest(input, { expectAllKeys: true, expectAllVarsUsed: false });
  const manifest = await validateManifest(evaluated.document, expandPath(input.manifestPath, input.cwd));
  return {
    manifest,
    sha512: createHash("sha512").update(evaluated.yaml).digest("hex"),
    generated: evaluated.generated,
  };
}
