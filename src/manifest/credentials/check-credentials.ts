/**
 * Every certificate and key a deployment uses, read before anything acts on it (bosh-cli reads
 * none of them, so a broken one surfaces only once a VM runs with it): the fields of each
 * variable of type certificate, rsa or ssh, and every string of the interpolated manifest that
 * starts with `-----BEGIN`. A certificate must sit beside its own private key, an rsa or ssh
 * public key beside its private key. Each problem names where the value came from: the vars
 * store or vars file and the variable's field when a variable gave it, else the manifest path.
 * An expired certificate is a warning: it still parses, and what uses it decides.
 */
import type { X509Certificate } from "node:crypto";
import { isRecord } from "../../common/index.js";
import { looksLikePem, readPem, samePublicKey, type PemKind, type PemRead } from "./read-pem.js";
import { sshPairMatches } from "./ssh-keys.js";

/** Where a variable's value was found, as the user named it: the vars store or a flag. */
export interface VariableOrigin {
  kind: "vars-store" | "flag";
  /** "creds.yml", "vars.yml", "-v name", "--var-file name", "environment variable X". */
  label: string;
}

export interface UsedVariable {
  name: string;
  type: string | undefined;
  value: unknown;
  origin: VariableOrigin;
}

export interface CredentialProblem {
  where: string;
  problem: string;
  fix: string;
}

export interface CredentialReport {
  problems: CredentialProblem[];
  warnings: string[];
}

const TYPED_FIELDS: Record<string, [field: string, kind: PemKind, required: boolean][]> = {
  certificate: [["certificate", "certificate", true], ["private_key", "private-key", true], ["ca", "certificate", false]],
  rsa: [["private_key", "private-key", true], ["public_key", "public-key", true]],
  ssh: [["private_key", "private-key", true], ["public_key", "ssh-public-key", true]],
};

export class CredentialChecker {
  readonly report: CredentialReport = { problems: [], warnings: [] };
  /** Strings already read: the manifest walk skips them (reported under a better name already). */
  private readonly checked = new Set<string>();
  /** Strings read as a kind: each is reported once as that kind, however often it is used. */
  private readonly reported = new Set<string>();
  /** Every string a variable gave, to name a manifest value by the variable it came from. */
  private readonly origins = new Map<string, { where: string; fix: string }>();

  constructor(
    private readonly manifest: string,
    private readonly now: Date,
    variables: readonly UsedVariable[],
  ) {
    for (const v of variables) {
      walk(v.value, v.name, (value, where) => {
        if (!this.origins.has(value)) this.origins.set(value, { where: `${v.origin.label}: ${where}`, fix: fixFor(v.origin) });
      });
    }
  }

  /** Where a string of the interpolated manifest came from: a variable's field, else its path. */
  originOf(value: string, path: string): { where: string; fix: string } {
    return this.origins.get(value) ?? { where: `${this.manifest}: ${path}`, fix: MANIFEST_FIX };
  }

  checkVariables(variables: readonly UsedVariable[]): void {
    for (const v of variables) {
      const fields = TYPED_FIELDS[v.type ?? ""];
      if (fields === undefined || !isRecord(v.value)) continue;
      const reads = new Map<string, PemRead>();
      for (const [field, kind, required] of fields) {
        const value = v.value[field];
        const where = `${v.origin.label}: ${v.name}.${field}`;
        if (value === undefined || value === null || value === "") {
          if (required) this.problem(where, `is empty: a ${v.type} variable needs it`, fixFor(v.origin));
          continue;
        }
        if (typeof value !== "string") this.problem(where, "must be a string of PEM text", fixFor(v.origin));
        else reads.set(field, this.read(value, kind, where, fixFor(v.origin)));
      }
      this.checkPair(v.name, v.type ?? "", v.value, reads, `${v.origin.label}: ${v.name}`, fixFor(v.origin));
    }
  }

  /** Every `-----BEGIN` string of the interpolated manifest not read yet, and cert/key pairs in maps. */
  checkDocument(document: unknown): void {
    walk(document, "", (value, path) => {
      if (this.checked.has(value) || !looksLikePem(value)) return;
      const { where, fix } = this.originOf(value, path);
      this.read(value, "any", where, fix);
    });
  }

  /** Reads a string once; a problem is recorded, an expired certificate is warned about. */
  read(value: string, kind: PemKind, where: string, fix: string): PemRead {
    const first = !this.reported.has(`${kind}\u0000${value}`);
    this.reported.add(`${kind}\u0000${value}`);
    this.checked.add(value);
    const read = readPem(value, kind);
    if (!first) return read;
    if (read.problem !== undefined) this.problem(where, read.problem, fix);
    for (const cert of read.certificates) {
      const expiry = expiryOf(cert, this.now);
      if (expiry !== undefined) this.report.warnings.push(`${where}: the certificate for '${subjectName(cert)}' ${expiry}`);
    }
    return read;
  }

  /** For a string another parser judges (the SSH tunnel's key): the manifest walk skips it. */
  markRead(value: string): void {
    this.checked.add(value);
  }

  problem(where: string, problem: string, fix: string): void {
    this.report.problems.push({ where, problem, fix });
  }

  private checkPair(name: string, type: string, value: Record<string, unknown>, reads: Map<string, PemRead>, where: string, fix: string): void {
    const privateKey = reads.get("private_key")?.privateKey;
    if (privateKey === undefined) return;
    const leaf = reads.get("certificate")?.certificates[0];
    if (type === "certificate" && leaf !== undefined && !leaf.checkPrivateKey(privateKey)) {
      this.problem(where, `certificate and private_key are not a pair: the key of '${name}' is not the one its certificate was issued for`, fix);
    }
    const publicKey = reads.get("public_key")?.publicKey;
    if (type === "rsa" && publicKey !== undefined && !samePublicKey(privateKey, publicKey)) {
      this.problem(where, "public_key is not the public half of private_key", fix);
    }
    if (type === "ssh" && typeof value["public_key"] === "string" && reads.get("public_key")?.problem === undefined) {
      if (!sshPairMatches(value["private_key"] as string, value["public_key"])) this.problem(where, "public_key is not the public half of private_key", fix);
    }
  }
}

export const MANIFEST_FIX = "Fix the value in the manifest or in the ops file that sets it (bootstrap interpolate shows the manifest as it is used).";

function fixFor(origin: VariableOrigin): string {
  return origin.kind === "vars-store"
    ? `Replace the value in ${origin.label} with a valid one, or remove the variable from ${origin.label} so that it is generated again (whatever trusted the old value must then be given the new one).`
    : `Fix the value given with ${origin.label}.`;
}

function expiryOf(cert: X509Certificate, now: Date): string | undefined {
  const to = new Date(cert.validTo);
  const from = new Date(cert.validFrom);
  if (to.getTime() < now.getTime()) return `expired on ${to.toISOString()}`;
  if (from.getTime() > now.getTime()) return `is not valid before ${from.toISOString()}`;
  return undefined;
}

export function subjectName(cert: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ", ");
}

/** Every string under `node` with its path, `a.b[0].c`. */
function walk(node: unknown, path: string, visit: (value: string, path: string) => void): void {
  if (typeof node === "string") visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  else if (isRecord(node)) for (const [key, value] of Object.entries(node)) walk(value, path === "" ? key : `${path}.${key}`, visit);
}
