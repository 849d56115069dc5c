/**
 * Dispatch by variable type: only the four types bosh-cli's vars store knows exist. The
 * certificate generator (with @peculiar/x509, most of what the manifest code loads) is imported
 * only when a certificate is generated: a run whose vars store is complete never loads it.
 */
import type { CaLoader } from "./certificate.js";
import { certificateOptions } from "./certificate-options.js";
import { generatePassword, generateRsa, generateSsh, passwordLength } from "./simple-generators.js";
import { GenerationError } from "./options.js";
import { generateKeysAhead } from "./rsa-keys.js";

export { GenerationError } from "./options.js";
export type { CaLoader, CertificateValue } from "./certificate.js";

/**
 * For the typed definitions about to be generated: their keys start now (key-pool.ts), and the
 * certificate generator loads while they are made instead of after the first one.
 */
export function prepareGeneration(definitions: readonly { type?: string; options?: unknown }[], signal?: AbortSignal): void {
  generateKeysAhead(definitions, signal);
  if (definitions.some((d) => d.type === "certificate")) import("./certificate.js").catch(() => undefined);
}

/**
 * Judges a definition as generating it would, making nothing: for one generated later
 * (late-variables.ts), so that a wrong type or option is refused before the deploy acts.
 * (rsa and ssh take no options: bosh-cli ignores any.)
 */
export function checkDefinition(type: string, options: unknown): void {
  if (type === "certificate") certificateOptions(options);
  else if (type === "password") passwordLength(options);
  else if (type !== "rsa" && type !== "ssh") throw new GenerationError(`Unsupported value type: ${type}`);
}

export async function generateValue(type: string, options: unknown, loadCa: CaLoader): Promise<unknown> {
  switch (type) {
    case "password":
      return generatePassword(options);
    case "rsa":
      return generateRsa();
    case "ssh":
      return generateSsh();
    case "certificate":
      return (await import("./certificate.js")).generateCertificate(options, loadCa);
    default:
      throw new GenerationError(`Unsupported value type: ${type}`);
  }
}
