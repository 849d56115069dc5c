/**
 * What the mbus server needs from the settings, checked before anything listens: an https URL
 * with host and port, credentials, and a usable certificate + key. The real agent exits at startup
 * when these are wrong ("Message Bus Handler with scheme ... could not be found", "Loading
 * configured tls certificate"); so does this one, with the settings path in the message.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { BootstrapError, messageOf } from "../../common/index.js";
import { defaultIp, mbusCert, mbusUrl, type Json } from "./settings.js";

export interface MbusConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  certificate: string;
  privateKey: string;
}

export function mbusConfig(settings: Json, updateSettings: Json, settingsPath: string): MbusConfig {
  const raw = mbusUrl(settings, updateSettings);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BootstrapError("USAGE", `Message Bus Handler with scheme '' could not be found (mbus URL in ${settingsPath} is not a URL)`, {
      hint: "Set `mbus` in the agent settings to https://user:password@host:port",
    });
  }
  if (url.protocol !== "https:") {
    throw new BootstrapError("USAGE", `Message Bus Handler with scheme ${url.protocol.replace(/:$/, "")} could not be found (${settingsPath})`, {
      hint: "This agent speaks the HTTPS mbus only: use an https:// mbus URL",
    });
  }
  if (url.port === "") {
    throw new BootstrapError("USAGE", `The mbus URL in ${settingsPath} has no port`, { hint: "Use https://user:password@host:port, e.g. port 6868" });
  }
  const cert = mbusCert(settings, updateSettings);
  const certificate = cert.certificate ?? "";
  const privateKey = cert.private_key ?? "";
  try {
    new X509Certificate(certificate);
    createPrivateKey(privateKey);
  } catch (error) {
    throw new BootstrapError("USAGE", `Loading configured tls certificate: env.bosh.mbus.cert in ${settingsPath} has no valid certificate/private_key (${messageOf(error)})`, {
      hint: "Give the VM env.bosh.mbus.cert {ca, certificate, private_key} (PEM, RSA key) in the manifest's resource pool env",
      cause: error,
    });
  }
  // 0.0.0.0 means "this VM's address": several local VMs share the host's network namespace.
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const host = hostname === "0.0.0.0" ? (defaultIp(settings) ?? "0.0.0.0") : hostname;
  return {
    host,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    certificate,
    privateKey,
  };
}
