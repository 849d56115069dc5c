/**
 * The entry point deploy/delete/plan use: evaluate the manifest as create-env does (every
 * variable must resolve), hash the interpolated YAML (the state file's current_manifest_sha),
 * validate it into a BootstrapManifest, and read every certificate and key it uses (see
 * credentials/): all before any command acts on it.
 */
import { createHash } from "node:crypto";
import { evaluateManifest, type Evaluated } from "./evaluate.js";
import { expandPath, type VarFlags } from "./variables/static-vars.js";
import type { GenerationMode } from "./variables/vars-store.js";
import { validateManifest } from "./validate/index.js";
import type { BootstrapManifest } from "./validate/types.js";
import { checkCredentials, credentialsError, describeProblem } from "./credentials/index.js";
import { onDemand, type OnDemand } from "./on-demand.js";

export interface ManifestInput {
  manifestPath: string;
  opsFiles: string[];
  varFlags: VarFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** "write": generate missing typed variables into the vars store (saved at once);
      "dry-run": generate in memory only, never write (for `bootstrap plan`). */
  generation: GenerationMode;
  /** Ctrl-C: ends a wait for the vars store's lock, and generating variables, at once. */
  signal?: AbortSignal;
  /**
   * A certificate or key that does not parse: "refuse" (CERTIFICATE_INVALID; the default, for
   * deploy and plan) or "warn" (for delete, which removes things and needs no certificate to
   * do so: an agent it cannot reach is only not shut down cleanly).
   */
  credentials?: "refuse" | "warn";
  /** The clock certificates are judged by (tests). */
  now?: Date;
  /** Leave the variables only job properties use for later (see `LoadedManifest.late`). */
  deferLate?: boolean;
}

export interface LoadedManifest {
  manifest: BootstrapManifest;
  /** Hex SHA-512 of the interpolated YAML text. */
  sha512: string;
  /** Variable names generated (or that would be, in dry-run). */
  generated: string[];
  /** For the user: expired certificates, and (in "warn" mode) certificates and keys that do not parse. */
  warnings: string[];
  /** Every variable the manifest used, by name with its whole value (secrets: registered for redaction). */
  variables: readonly { name: string; value: unknown }[];
  /**
   * With deferLate, the variables not generated yet: `complete.get()` generates them. Until
   * then this manifest holds their references as written (inside properties maps only), and its
   * sha512, generated and variables describe that text: act on `complete` for anything derived
   * from properties, and for what is recorded.
   */
  late?: { names: readonly string[]; complete: OnDemand<LoadedManifest> };
}

/**
 * With late variables, the manifest is validated twice: first with their references as
 * written, which can only be inside properties maps, where validation asks for maps and
 * nothing more, so every rule and credential outside them is judged before anything acts;
 * then whole, with every certificate and key, before anything derived from the late values is
 * used.
 */
export async function loadBootstrapManifest(input: ManifestInput): Promise<LoadedManifest> {
  const evaluated = await evaluateManifest(input, { expectAllKeys: true, expectAllVarsUsed: false });
  const loaded = await judge(evaluated, input);
  if (evaluated.late === undefined) return loaded;
  const late = evaluated.late;
  return { ...loaded, late: { names: late.names, complete: onDemand(() => late.complete.get().then((whole) => judge(whole, input))) } };
}

async function judge(evaluated: Evaluated, input: ManifestInput): Promise<LoadedManifest> {
  const manifest = await validateManifest(evaluated.document, expandPath(input.manifestPath, input.cwd));
  const report = checkCredentials({
    document: evaluated.document,
    variables: evaluated.variables,
    manifest,
    manifestLabel: input.manifestPath,
    now: input.now ?? new Date(),
  });
  if (report.problems.length > 0 && input.credentials !== "warn") throw credentialsError(report.problems);
  return {
    manifest,
    sha512: createHash("sha512").update(evaluated.yaml).digest("hex"),
    generated: evaluated.generated,
    warnings: [...report.problems.map(describeProblem), ...report.warnings],
    variables: evaluated.variables.map(({ name, value }) => ({ name, value })),
  };
}
