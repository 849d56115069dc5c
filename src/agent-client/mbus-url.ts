/**
 * Parses the mbus URL (`https://user:password@host:port`) once. The password is registered as a
 * secret so it can never reach a log or an error; the path is ignored as the agent ignores it.
 */
import { isIP } from "node:net";
import { BootstrapError, registerSecret } from "../common/index.js";

export interface MbusEndpoint {
  /** Host as dialled and as verified in the certificate (the VM's IP in practice). */
  host: string;
  port: number;
  /** `Basic <base64(user:password)>`, exactly as the agent compares it. */
  authorization: string;
  /** `https://host:port` without credentials, for messages. */
  origin: string;
}

export function parseMbusUrl(text: string): MbusEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw invalid("is not a URL", cause);
  }
  if (url.protocol !== "https:") throw invalid(`has scheme "${url.protocol.replace(/:$/, "")}", expected https`);
  if (url.port === "") throw invalid("has no port (the agent listens on the port given there, usually 6868)");
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  registerSecret(password);
  // URL keeps brackets around IPv6 literals; sockets and certificate checks want them bare.
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return {
    host,
    port: Number(url.port),
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    origin: `https://${isIP(host) === 6 ? `[${host}]` : host}:${url.port}`,
  };
}

function invalid(what: string, cause?: unknown): BootstrapError {
  return new BootstrapError("MANIFEST_INVALID", `cloud_provider.mbus ${what}`, {
    hint: "Set cloud_provider.mbus to https://mbus:<password>@<vm-ip>:6868",
    cause,
  });
}
