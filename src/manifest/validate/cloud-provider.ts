/**
 * `cloud_provider:` — the CPI job(s) (`templates` list, or the legacy single `template`), the
 * agent's mbus URL, the agent CA, CPI properties and the optional ssh_tunnel (whose private_key is
 * inline PEM or a path relative to the manifest).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { BootstrapManifest } from "./types.js";
import { int, join, map, maps, str, type Obj, type Problems } from "./reader.js";
import { isRecord } from "../../common/index.js";

type CloudProvider = BootstrapManifest["cloudProvider"];

export async function readCloudProvider(doc: Obj, releaseNames: Set<string>, dir: string, p: Problems): Promise<CloudProvider> {
  if (!isRecord(doc["cloud_provider"])) p.add("cloud_provider", "must be provided");
  const cp = map(doc, "cloud_provider", "", p);
  const at = "cloud_provider";
  const templates = readTemplates(cp, releaseNames, p);
  const mbus = str(cp, "mbus", at, p) ?? "";
  if (mbus !== "" && !/^https:\/\/[^@/]+@[^/]+/.test(mbus)) p.add(join(at, "mbus"), "must be an https URL with credentials, like https://mbus:PASSWORD@10.0.0.6:6868");
  const out: CloudProvider = { templates, mbus, properties: map(cp, "properties", at, p) };
  const cert = map(cp, "cert", at, p);
  const ca = str(cert, "ca", join(at, "cert"), p, false);
  if (ca !== undefined) {
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(ca)) p.add(join(at, "cert.ca"), "Invalid CA cert: must be a PEM certificate");
    else out.cert = { ca };
  }
  if (cp["ssh_tunnel"] !== undefined && cp["ssh_tunnel"] !== null) {
    const tunnel = await readSshTunnel(map(cp, "ssh_tunnel", at, p), join(at, "ssh_tunnel"), dir, p);
    if (tunnel !== undefined) out.sshTunnel = tunnel;
  }
  return out;
}

function readTemplates(cp: Obj, releaseNames: Set<string>, p: Problems): { name: string; release: string }[] {
  const listed = maps(cp, "templates", "cloud_provider", p);
  const entries: [Obj, string][] =
    listed.length > 0 ? listed : isRecord(cp["template"]) ? [[cp["template"], "cloud_provider.template"]] : [];
  if (entries.length === 0) {
    p.add("cloud_provider", "either cloud_provider.templates or cloud_provider.template must be provided and must contain at least one release");
  }
  const seen = new Set<string>();
  const out: { name: string; release: string }[] = [];
  for (const [t, at] of entries) {
    const name = str(t, "name", at, p);
    const release = str(t, "release", at, p);
    if (name !== undefined) {
      if (seen.has(name)) p.add(join(at, "name"), `duplicate template name '${name}'`);
      seen.add(name);
    }
    if (release !== undefined && !releaseNames.has(release)) p.add(join(at, "release"), `'${release}' must refer to a release in releases`);
    if (name !== undefined && release !== undefined) out.push({ name, release });
  }
  return out;
}

async function readSshTunnel(t: Obj, at: string, dir: string, p: Problems): Promise<CloudProvider["sshTunnel"]> {
  const host = str(t, "host", at, p);
  const port = int(t, "port", at, p);
  const user = str(t, "user", at, p);
  if (port === undefined && t["port"] === undefined) p.add(join(at, "port"), "must be provided");
  const password = str(t, "password", at, p, false);
  const keyText = str(t, "private_key", at, p, false);
  let privateKey: string | undefined;
  if (keyText !== undefined) {
    if (keyText.startsWith("-----BEGIN RSA PRIVATE KEY-----") || keyText.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")) {
      privateKey = keyText;
    } else if (keyText.startsWith("----")) {
      p.add(join(at, "private_key"), "Unsupported private key format for ssh tunnel (use an RSA or OpenSSH PEM key)");
    } else {
      try {
        privateKey = await readFile(resolve(dir, keyText), "utf8");
      } catch (error) {
        p.add(join(at, "private_key"), `cannot read private key file '${keyText}': ${(error as Error).message}`);
      }
    }
  }
  if (host === undefined || port === undefined || user === undefined) return undefined;
  return { host, port, user, ...(privateKey === undefined ? {} : { privateKey }), ...(password === undefined ? {} : { password }) };
}
