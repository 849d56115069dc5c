/**
 * Pure: what a client needs to reach the director a manifest describes, read the way
 * bosh-deployment's manifests lay it out — the address the deploy reached the VM at, the
 * instance group's job `director` (properties `director.port`, `director.ssl.cert`,
 * `director.user_management`), the certificate's CA from the variable that holds it, and the
 * admin credentials of local users or of the `uaa` job's clients (bosh-deployment's uaa.yml).
 */
import { BootstrapError, isRecord } from "../common/index.js";
import type { BootstrapManifest } from "../manifest/index.js";

export interface DirectorAccess {
  /** https://address:port */
  environment: string;
  /** PEM of the CA that signed the director's certificate, when a certificate variable names it. */
  caCert?: string;
  client?: string;
  clientSecret?: string;
  /** Why something above is missing (for the user, not secret). */
  notes: string[];
}

interface Variable {
  name: string;
  value: unknown;
}

const DEFAULT_DIRECTOR_PORT = 25555;

/** Where a BOSH director (job `director`, property director.port, default 25555) answers; undefined without such a job. */
export function directorUrlOf(manifest: BootstrapManifest): string | undefined {
  if (!manifest.instanceGroup.jobs.some((j) => j.name === "director")) return undefined;
  const port = jobProperty(manifest, "director", ["director", "port"]) ?? DEFAULT_DIRECTOR_PORT;
  return `https://${reachableAddress(manifest)}:${String(port)}`;
}

/**
 * The address this machine reaches the VM at: the host of cloud_provider.mbus, which the deploy
 * itself used (bosh-deployment's external-ip ops file points it at the external IP, and adds
 * that IP to the director's certificate), else the instance's address.
 */
function reachableAddress(manifest: BootstrapManifest): string {
  let host = "";
  try {
    host = new URL(manifest.cloudProvider.mbus).hostname;
  } catch {
    // validated as a URL already; the instance's address is the fallback either way
  }
  return host === "" || host === "0.0.0.0" ? manifest.address : host;
}

export function directorAccess(manifest: BootstrapManifest, variables: readonly Variable[]): DirectorAccess {
  const environment = directorUrlOf(manifest);
  if (environment === undefined) {
    throw new BootstrapError("DIRECTOR_NOT_FOUND", `The manifest's instance group '${manifest.instanceGroup.name}' has no job named 'director'.`, {
      hint: "bootstrap env describes a BOSH director: deploy a manifest whose instance group runs the director job (bosh-deployment's bosh.yml).",
    });
  }
  const access: DirectorAccess = { environment, notes: [] };
  const cert = jobProperty(manifest, "director", ["director", "ssl", "cert"]);
  const ca = typeof cert === "string" ? caOf(cert, variables) : undefined;
  if (ca !== undefined) access.caCert = ca;
  else access.notes.push("BOSH_CA_CERT is not set: the director's certificate (director.ssl.cert) is not a certificate variable's, so its CA is unknown.");
  const credentials = adminCredentials(manifest, access.notes);
  if (credentials !== undefined) {
    access.client = credentials.client;
    access.clientSecret = credentials.secret;
  }
  return access;
}

/** The `ca` of the certificate variable whose certificate the director serves. */
function caOf(cert: string, variables: readonly Variable[]): string | undefined {
  for (const { value } of variables) {
    if (!isRecord(value) || typeof value["certificate"] !== "string" || typeof value["ca"] !== "string") continue;
    if (value["certificate"].trim() === cert.trim() && value["ca"].trim() !== "") return value["ca"];
  }
  return undefined;
}

function adminCredentials(manifest: BootstrapManifest, notes: string[]): { client: string; secret: string } | undefined {
  const management = jobProperty(manifest, "director", ["director", "user_management"]);
  if (!isRecord(management)) {
    notes.push("BOSH_CLIENT is not set: the director has no user_management properties.");
    return undefined;
  }
  const provider = management["provider"] ?? "local";
  if (provider === "local") {
    const users = (isRecord(management["local"]) ? management["local"]["users"] : undefined) as unknown;
    const found = pickAdmin(
      Array.isArray(users) ? users.flatMap((u) => (isRecord(u) && typeof u["name"] === "string" ? [{ name: u["name"], secret: u["password"] }] : [])) : [],
      () => true,
    );
    if (found === undefined) notes.push("BOSH_CLIENT is not set: director.user_management.local.users names no user with a password.");
    return found;
  }
  if (provider === "uaa") {
    const clients = jobProperty(manifest, "uaa", ["uaa", "clients"]);
    const entries = isRecord(clients) ? Object.entries(clients).flatMap(([name, c]) => (isRecord(c) ? [{ name, secret: c["secret"], client: c }] : [])) : [];
    // A client for the director API: client_credentials with bosh.admin authority (bosh-deployment's `admin`).
    const found = pickAdmin(entries, (e) => String(e.client["authorized-grant-types"] ?? "").includes("client_credentials") && String(e.client["authorities"] ?? "").split(",").includes("bosh.admin"));
    if (found === undefined) notes.push("BOSH_CLIENT is not set: the uaa job's uaa.clients has no client_credentials client with bosh.admin and a secret.");
    return found;
  }
  notes.push(`BOSH_CLIENT is not set: director.user_management.provider '${String(provider)}' is neither local nor uaa.`);
  return undefined;
}

/** The entry named `admin` if it qualifies, else the first that does; entries without a secret never do. */
function pickAdmin<T extends { name: string; secret: unknown }>(entries: T[], qualifies: (entry: T) => boolean): { client: string; secret: string } | undefined {
  const usable = entries.filter((e) => typeof e.secret === "string" && e.secret !== "" && qualifies(e));
  const chosen = usable.find((e) => e.name === "admin") ?? usable[0];
  return chosen === undefined ? undefined : { client: chosen.name, secret: chosen.secret as string };
}

/** A property of job `jobName`: the first of its own, its instance group's and the manifest's global properties that sets it. */
function jobProperty(manifest: BootstrapManifest, jobName: string, path: readonly string[]): unknown {
  const job = manifest.instanceGroup.jobs.find((j) => j.name === jobName);
  if (job === undefined) return undefined;
  const sources = [job.properties ?? {}, manifest.instanceGroup.properties, manifest.properties];
  for (const source of sources) {
    let value: unknown = source;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    if (value !== undefined) return value;
  }
  return undefined;
}
