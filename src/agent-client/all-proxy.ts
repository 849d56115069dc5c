/**
 * BOSH_ALL_PROXY, read as bosh-cli reads it: `ssh+socks5://[user@]host:port?private-key=PATH`
 * means "open connections through an SSH connection to that jumpbox" (user defaults to
 * `jumpbox`, the key is read from PATH, the jumpbox's host key is trusted on first use), and
 * `socks5://host:port` means a plain SOCKS5 proxy without authentication.
 */
import { readFileSync } from "node:fs";
import { BootstrapError, messageOf } from "../common/index.js";

export type AllProxy =
  | { kind: "ssh"; host: string; port: number; user: string; privateKey: string }
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
  let privateKey: string;
  try {
    privateKey = readFileSync(keyPath, "utf8");
  } catch (cause) {
    throw new BootstrapError("FILE_NOT_FOUND", `BOSH_ALL_PROXY private key ${keyPath} cannot be read: ${messageOf(cause)}`, {
      hint: "Point private-key= at the jumpbox's private key file",
      cause,
    });
  }
  return { kind: "ssh", host, port, user: decodeURIComponent(url.username) || "jumpbox", privateKey };
}

function invalid(what: string, cause?: unknown): BootstrapError {
  return new BootstrapError("USAGE", `BOSH_ALL_PROXY ${what}`, {
    hint: "Use BOSH_ALL_PROXY=ssh+socks5://user@jumpbox:22?private-key=/path/to/key or socks5://host:port, or unset it",
    cause,
  });
}
