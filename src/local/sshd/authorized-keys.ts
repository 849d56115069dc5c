/**
 * Who may log in to a VM's SSH server: the public keys in its agent settings'
 * env.bosh.authorized_keys (authorized_keys lines), which the CPI writes when it creates the VM.
 */
import { isRecord } from "../../common/index.js";

export function authorizedKeysOf(settings: unknown): string[] {
  if (!isRecord(settings) || !isRecord(settings["env"])) return [];
  const bosh = settings["env"]["bosh"];
  if (!isRecord(bosh) || !Array.isArray(bosh["authorized_keys"])) return [];
  return bosh["authorized_keys"].filter((k): k is string => typeof k === "string" && k.trim() !== "");
}
