/**
 * Adopts the outcome of CPI calls that finished while no bootstrap was watching (a crash or
 * kill mid-call): their results become state records, so nothing they created is leaked.
 */
import { randomUUID } from "node:crypto";
import { isCpiNotFound as isNotFound } from "../cpi-runner/index.js";
import type { StatePort } from "./ports.js";

export interface RecoveredCallLike {
  method: string;
  arguments: unknown[];
  tag?: Record<string, unknown>;
  outcome: { kind: "result"; result: unknown } | { kind: "error"; error: unknown } | { kind: "lost"; reason: string };
}

export interface Adoption {
  /** VMs created by a lost run while another VM was already current: to be deleted. */
  orphanVms: string[];
  messages: string[];
}

export async function adoptRecoveredCalls(state: StatePort, calls: readonly RecoveredCallLike[]): Promise<Adoption> {
  const adoption: Adoption = { orphanVms: [], messages: [] };
  for (const call of calls) {
    const { outcome } = call;
    if (outcome.kind === "lost") {
      adoption.messages.push(`A '${call.method}' call of an earlier run left no result (${outcome.reason}); check the IaaS for a leaked resource.`);
      continue;
    }
    const ok = outcome.kind === "result" || isNotFound(outcome.error);
    if (!ok) {
      adoption.messages.push(`A '${call.method}' call of an earlier run failed; nothing to adopt.`);
      continue;
    }
    const result = outcome.kind === "result" ? outcome.result : undefined;
    const tag = call.tag ?? {};
    const firstArg = typeof call.arguments[0] === "string" ? call.arguments[0] : "";
    await state.update((s) => {
      switch (call.method) {
        case "create_vm": {
          const cid = cidOf(result);
          if (s.current_vm_cid === "") {
            s.current_vm_cid = cid;
            delete s.current_vm_ssh_host_key;
            if (typeof tag["agent_id"] === "string") s.current_agent_id = tag["agent_id"];
            adoption.messages.push(`Adopted VM '${cid}' created by an interrupted run.`);
          } else adoption.orphanVms.push(cid);
          break;
        }
        case "create_disk":
          s.disks.push({
            id: randomUUID(),
            cid: String(result),
            size: typeof tag["size"] === "number" ? tag["size"] : 0,
            cloud_properties: (tag["cloud_properties"] ?? {}) as Record<string, unknown>,
          });
          adoption.messages.push(`Adopted disk '${String(result)}' created by an interrupted run.`);
          break;
        case "create_stemcell":
          s.stemcells.push({
            id: typeof tag["id"] === "string" ? tag["id"] : randomUUID(),
            name: String(tag["name"] ?? "unknown"),
            version: String(tag["version"] ?? "unknown"),
            ...(typeof tag["api_version"] === "number" ? { api_version: tag["api_version"] } : {}),
            cid: cidOf(result),
          });
          adoption.messages.push(`Adopted stemcell '${cidOf(result)}' uploaded by an interrupted run.`);
          break;
        case "delete_vm":
          if (s.current_vm_cid === firstArg) {
            s.current_vm_cid = "";
            s.current_stemcell_id = "";
          }
          break;
        case "delete_disk":
          s.disks = s.disks.filter((d) => d.cid !== firstArg);
          if (!s.disks.some((d) => d.id === s.current_disk_id)) s.current_disk_id = "";
          break;
        case "delete_stemcell":
          s.stemcells = s.stemcells.filter((d) => d.cid !== firstArg);
          break;
      }
    });
  }
  return adoption;
}

/** A recovered create_* result as the CPI client returns it: a CID, or {cid} for create_vm. */
function cidOf(result: unknown): string {
  if (result !== null && typeof result === "object" && "cid" in result) return String((result as { cid: unknown }).cid);
  return String(result);
}
