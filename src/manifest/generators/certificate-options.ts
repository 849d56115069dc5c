/**
 * A certificate definition's options, read and judged without making anything: what the
 * generator needs, and every way they can be wrong, so a definition generated later (see
 * late-variables.ts) is refused as early as one generated at once.
 */
import { GenerationError, readOptions } from "./options.js";

const KEY_LENGTHS = [2048, 3072, 4096];
const EXTENDED_KEY_USAGES = ["server_auth", "client_auth"];

export interface CertificateOptions {
  commonName: string;
  organization: string;
  alternativeNames: string[];
  isCa: boolean;
  /** The issuing CA's variable name; "" for a self-signed root CA. */
  caName: string;
  /** server_auth and/or client_auth; empty means server_auth. */
  extendedKeyUsage: string[];
  days: number;
  keyLength: number;
}

export function certificateOptions(options: unknown): CertificateOptions {
  const o = readOptions(options, "certificate", {
    common_name: "string",
    organization: "string",
    alternative_names: "strings",
    is_ca: "bool",
    ca: "string",
    extended_key_usage: "strings",
    duration: "int",
    key_length: "int",
  });
  const keyLength = o.key_length === undefined || o.key_length === 0 ? 3072 : o.key_length;
  if (!KEY_LENGTHS.includes(keyLength)) throw new GenerationError(`Invalid key_length: ${keyLength}.  Must be one of: [2048 3072 4096]`);
  const isCa = o.is_ca === true;
  const caName = o.ca ?? "";
  if (!isCa && caName === "") throw new GenerationError("Missing required CA name");
  const extendedKeyUsage = o.extended_key_usage ?? [];
  const unsupported = extendedKeyUsage.find((name) => !EXTENDED_KEY_USAGES.includes(name));
  if (unsupported !== undefined) throw new GenerationError(`Unsupported extended key usage value: ${unsupported}`);
  return {
    commonName: o.common_name ?? "",
    organization: o.organization ?? "Cloud Foundry",
    alternativeNames: o.alternative_names ?? [],
    isCa,
    caName,
    extendedKeyUsage,
    days: o.duration !== undefined && o.duration > 0 ? o.duration : 365,
    keyLength,
  };
}
