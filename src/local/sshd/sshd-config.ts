/**
 * The SSH server's config file, written by create_vm beside the VM and passed as the server's
 * only argument. Pure decoding.
 */
import { isRecord } from "../../common/index.js";

export interface SshdConfig {
  /** The VM's IP: the server listens on it and forwards only to it. */
  ip: string;
  port: number;
  user: string;
  hostKeyPath: string;
  /** Agent settings file: its env.bosh.authorized_keys are the accepted public keys. */
  settingsPath: string;
  /** Written once the server listens, so create_vm returns only when the tunnel can be opened. */
  readyFile: string;
}

export function decodeSshdConfig(raw: unknown, path: string): SshdConfig {
  const fail = (what: string) => new Error(`Invalid SSH server config '${path}': ${what}`);
  if (!isRecord(raw)) throw fail("not a JSON object");
  const { ip, port, user, hostKeyPath, settingsPath, readyFile } = raw;
  if (typeof ip !== "string" || ip === "") throw fail("ip must be a string");
  if (typeof port !== "number" || !Number.isInteger(port)) throw fail("port must be an integer");
  if (typeof user !== "string" || user === "") throw fail("user must be a string");
  if (typeof hostKeyPath !== "string") throw fail("hostKeyPath must be a string");
  if (typeof settingsPath !== "string") throw fail("settingsPath must be a string");
  if (typeof readyFile !== "string") throw fail("readyFile must be a string");
  return { ip, port, user, hostKeyPath, settingsPath, readyFile };
}
