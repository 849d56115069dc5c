/**
 * What reaching the new VM's agent takes, checked before the VM exists. The agent serves
 * env.bosh.mbus.cert and we verify it against cloud_provider.cert.ca with the mbus URL's host as
 * the identity; a certificate that cannot pass that check (another CA, another host, expired)
 * would make the run create a VM and then wait for an agent it can never trust. The SSH
 * tunnel's private key is read as ssh2 reads it, as the tunnel will, and must need no passphrase.
 */
import { checkServerIdentity } from "node:tls";
import type { X509Certificate } from "node:crypto";
import { isRecord } from "../../common/index.js";
import type { BootstrapManifest } from "../validate/types.js";
import { subjectName, type CredentialChecker } from "./check-credentials.js";
import { sshKeyProblem } from "./ssh-keys.js";

/** How far up a chain we follow issuers (a real one has two or three links). */
const MAX_CHAIN = 8;

export function checkAgentTrust(checker: CredentialChecker, manifest: BootstrapManifest, document: unknown, now: Date): void {
  checkTunnelKey(checker, manifest);
  const ca = manifest.cloudProvider.cert?.ca;
  const served = mbusCertOf(manifest.resourcePool.env);
  if (ca === undefined || served === undefined) return;
  const poolPath = `${resourcePoolPath(document, manifest.resourcePool.name)}.env.bosh.mbus.cert.certificate`;
  const caAt = checker.originOf(ca, "cloud_provider.cert.ca");
  const leafAt = checker.originOf(served, poolPath);
  const roots = checker.read(ca, "certificate", caAt.where, caAt.fix).certificates;
  const chain = checker.read(served, "certificate", leafAt.where, leafAt.fix).certificates;
  const leaf = chain[0];
  if (roots.length === 0 || leaf === undefined) return; // unreadable: reported already

  const path = issuerPath(leaf, [...chain.slice(1), ...roots], roots);
  const why = "the agent would be unreachable once its VM is created";
  if (path === undefined) {
    checker.problem(leafAt.where, `the agent's certificate '${subjectName(leaf)}' is not issued by the CA in ${caAt.where}: ${why}`, `${leafAt.fix} It must be signed by the CA in ${caAt.where}.`);
    return;
  }
  const host = mbusHost(manifest.cloudProvider.mbus);
  const mismatch = host === undefined ? undefined : checkServerIdentity(host, leaf.toLegacyObject());
  if (mismatch !== undefined) {
    checker.problem(leafAt.where, `the agent's certificate does not name the mbus host ${host} (${mismatch.message}): ${why}`, `${leafAt.fix} Its alternative names must include ${host}.`);
  }
  for (const cert of path) {
    const lapsed = new Date(cert.validTo).getTime() < now.getTime() || new Date(cert.validFrom).getTime() > now.getTime();
    if (lapsed) {
      const at = roots.includes(cert) ? caAt : leafAt;
      checker.problem(at.where, `the certificate '${subjectName(cert)}' is valid only from ${cert.validFrom} to ${cert.validTo}: ${why}`, at.fix);
    }
  }
}

function checkTunnelKey(checker: CredentialChecker, manifest: BootstrapManifest): void {
  const key = manifest.cloudProvider.sshTunnel?.privateKey;
  if (key === undefined) return;
  const at = checker.originOf(key, "cloud_provider.ssh_tunnel.private_key");
  checker.markRead(key);
  const problem = sshKeyProblem(key, false);
  if (problem !== undefined) {
    checker.problem(at.where, `the SSH tunnel cannot use this private key: ${problem}`, `${at.fix} It must be an unencrypted RSA, ECDSA or Ed25519 key in PEM or OpenSSH format.`);
  }
}

/** The certificates from `leaf` up to one of `roots`, or undefined when it does not get there. */
function issuerPath(leaf: X509Certificate, candidates: readonly X509Certificate[], roots: readonly X509Certificate[]): X509Certificate[] | undefined {
  const path = [leaf];
  let current = leaf;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (roots.some((root) => root.fingerprint256 === current.fingerprint256)) return path;
    const issuer = candidates.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (issuer === undefined) return undefined;
    path.push(issuer);
    if (roots.includes(issuer)) return path;
    current = issuer;
  }
  return undefined;
}

function mbusCertOf(env: Record<string, unknown>): string | undefined {
  const bosh = env["bosh"];
  const mbus = isRecord(bosh) ? bosh["mbus"] : undefined;
  const cert = isRecord(mbus) ? mbus["cert"] : undefined;
  const certificate = isRecord(cert) ? cert["certificate"] : undefined;
  return typeof certificate === "string" && certificate !== "" ? certificate : undefined;
}

function mbusHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

function resourcePoolPath(document: unknown, name: string): string {
  const pools = isRecord(document) ? document["resource_pools"] : undefined;
  const index = Array.isArray(pools) ? pools.findIndex((p) => isRecord(p) && p["name"] === name) : -1;
  return index >= 0 ? `resource_pools[${index}]` : `resource_pools[name=${name}]`;
}
