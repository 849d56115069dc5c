/**
 * BOSH_ALL_PROXY, read as bosh-cli reads it: `ssh+socks5://[user@]host:port?private-key=PATH`
 * means "open connections through an SSH connection to that jumpbox" (user defaults to
 * `jumpbox`, the key is read from PATH), and `socks5://host:port` means a plain SOCKS5 proxy
 * without authentication. bosh-cli trusts the jumpbox's host key on first use in every run and
 * has no way to pin it; we also read `host-key=SHA256:…` (the fingerprint `ssh-keygen -l`
 * prints), which bosh-cli ignores, and the caller pins the key it saw before (see types.ts).
 */
import { readFileSync } from "node:fs";
import { BootstrapError, messageOf } from "../common/index.js";

export type AllProxy =
  | { kind: "ssh"; host: string; port: number; user: string; privateKey: string; hostKeyFingerprint?: string }
  | { kind: "socks5"; host: string; port: number };

export function parseAllProxy(text: string): AllProxy {
  const ssh = text.startsWith("ssh+");
  let url: URL;
  try {
    url = new URL(ssh ? text.slice("ssh+".length) : text);
  } catch (cause) {
    throw invalid("is not a URL", cause);
  }
  if (url.protocol !== "socks5:") throw invalid(`has scheme "${url.protocol}", expected ssh+socks5: or socks5:`);
  if (url.port === "") throw invalid("has no port");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port);
  if (!ssh) return { kind: "socks5", host, port };
  const keyPath = url.searchParams.get("private-key");
  if (!keyPath) throw invalid("has no private-key=PATH query parameter");
  // A query string decodes "+" as a space; base64 fingerprints are full of "+".
  const hostKey = url.searchParams.get("host-key")?.replaceAll(" ", "+");
  if (hostKey !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(hostKey)) {
    throw invalid("has a host-key that is not a SHA256:… fingerprint (as ssh-keygen -l prints it)");
  }
  let privateKey: string;
  try {
    privateKey = readFileSync(keyPath, "utf8");
  } catch (cause) {
    throw new BootstrapError("FILE_NOT_FOUND", `BOSH_ALL_PROXY private key ${keyPath} cannot be read: ${messageOf(cause)}`, {
      hint: "Point private-key= at the jumpbox's private key file",
      cause,
    });
  }
  const user = decodeURIComponent(url.username) || "jumpbox";
  return { kind: "ssh", host, port, user, privateKey, ...(hostKey === undefined ? {} : { hostKeyFingerprint: hostKey }) };
}

function invalid(what: string, cause?: unknown): BootstrapError {
  return new BootstrapError("USAGE", `BOSH_ALL_PROXY ${what}`, {
    hint: "Use BOSH_ALL_PROXY=ssh+socks5://user@jumpbox:22?private-key=/path/to/key[&host-key=SHA256:…] or socks5://host:port, or unset it",
    cause,
  });
}
