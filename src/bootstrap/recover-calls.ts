/**
 * Adopts the outcome of CPI calls that finished while no bootstrap was watching (a crash or
 * kill mid-call, or a run that could not write the state file): their results become state
 * records, so nothing they created is leaked. A call's journal entry is forgotten only once the
 * state file holds its outcome, so adoption itself may be killed at any point; and as a run may
 * die after recording an outcome but before forgetting the call, adopting is idempotent.
 *
 * Per outcome:
 *   result         recorded (create: added unless already there; delete: dropped), then forgotten;
 *                  a VM made while another is current is an orphan: its entry stays, as its only
 *                  record, until the plan's delete-orphan-vm step has deleted it
 *   not-found      for a delete: as a result
 *   other error    the CPI says it failed: nothing to adopt, forgotten
 *   lost           no usable answer (killed, timed out, garbled, a full disk): a create may have
 *                  made something nobody can name, so it is reported on every run and its entry
 *                  kept until someone has checked the IaaS and deletes it; a delete or an attach
 *                  is reported and forgotten, as the plan does it again while the state shows it
 */
import { randomUUID } from "node:crypto";
import { isCpiNotFound as isNotFound } from "../cpi-runner/index.js";
import type { StatePort, StateShape } from "./ports.js";
import { forgetVmFacts } from "./vm-facts.js";

export interface RecoveredCallLike {
  method: string;
  arguments: unknown[];
  tag?: Record<string, unknown>;
  outcome: { kind: "result"; result: unknown } | { kind: "error"; error: unknown } | { kind: "lost"; reason: string };
  /** The journal entry's file. */
  entry: string;
  forget(): Promise<void>;
}

export interface Adoption {
  /** VMs created by a lost run while another VM was already current: to be deleted. */
  orphanVms: string[];
  /** Lets go of an orphan's create_vm call, once the orphan is deleted. */
  forgetOrphanVm(cid: string): Promise<void>;
  messages: string[];
}

export async function adoptRecoveredCalls(state: StatePort, calls: readonly RecoveredCallLike[]): Promise<Adoption> {
  const orphans = new Map<string, () => Promise<void>>();
  const messages: string[] = [];
  for (const call of calls) {
    const { outcome } = call;
    if (outcome.kind === "lost") {
      if (call.method.startsWith("create_")) {
        messages.push(
          `A '${call.method}' call of an earlier run left no usable result (${outcome.reason}); it may have ${whatItMayHaveDone(call)}. ` +
            `Check the IaaS, then delete ${call.entry}.`,
        );
        continue;
      }
      // A delete or a (de)tachment the state still shows is simply done again by the plan.
      messages.push(`A '${call.method}' call of an earlier run left no usable result (${outcome.reason}); it is done again if still needed.`);
      await call.forget();
      continue;
    }
    const ok = outcome.kind === "result" || isNotFound(outcome.error);
    if (!ok) {
      messages.push(`A '${call.method}' call of an earlier run failed; nothing to adopt.`);
      await call.forget();
      continue;
    }
    const result = outcome.kind === "result" ? outcome.result : undefined;
    const firstArg = typeof call.arguments[0] === "string" ? call.arguments[0] : "";
    if (call.method === "create_vm") {
      const cid = cidOf(result);
      if (state.state.current_vm_cid !== "" && state.state.current_vm_cid !== cid) {
        orphans.set(cid, () => call.forget());
        continue;
      }
    }
    if (call.method === "delete_vm" && orphans.has(firstArg)) {
      await orphans.get(firstArg)?.();
      orphans.delete(firstArg);
    }
    let adopted: string | undefined;
    await state.update((s) => {
      adopted = adopt(s, call.method, result, call.tag ?? {}, firstArg);
    });
    if (adopted !== undefined) messages.push(adopted);
    await call.forget();
  }
  return {
    orphanVms: [...orphans.keys()],
    forgetOrphanVm: async (cid) => {
      await orphans.get(cid)?.();
      orphans.delete(cid);
    },
    messages,
  };
}

/** Records one call's outcome in the draft; returns what to tell the user, if anything changed. */
function adopt(s: StateShape, method: string, result: unknown, tag: Record<string, unknown>, firstArg: string): string | undefined {
  switch (method) {
    case "create_vm": {
      const cid = cidOf(result);
      if (s.current_vm_cid === cid) return undefined;
      forgetVmFacts(s);
      s.current_vm_cid = cid;
      if (typeof tag["agent_id"] === "string") s.current_agent_id = tag["agent_id"];
      return `Adopted VM '${cid}' created by an interrupted run.`;
    }
    case "create_disk": {
      const cid = String(result);
      if (s.disks.some((d) => d.cid === cid)) return undefined;
      s.disks.push({
        id: randomUUID(),
        cid,
        size: typeof tag["size"] === "number" ? tag["size"] : 0,
        cloud_properties: (tag["cloud_properties"] ?? {}) as Record<string, unknown>,
      });
      return `Adopted disk '${cid}' created by an interrupted run.`;
    }
    case "create_stemcell": {
      const cid = cidOf(result);
      if (s.stemcells.some((st) => st.cid === cid)) return undefined;
      s.stemcells.push({
        id: typeof tag["id"] === "string" ? tag["id"] : randomUUID(),
        name: String(tag["name"] ?? "unknown"),
        version: String(tag["version"] ?? "unknown"),
        ...(typeof tag["api_version"] === "number" ? { api_version: tag["api_version"] } : {}),
        cid,
      });
      return `Adopted stemcell '${cid}' uploaded by an interrupted run.`;
    }
    case "delete_vm":
      if (s.current_vm_cid === firstArg) {
        s.current_vm_cid = "";
        s.current_stemcell_id = "";
        forgetVmFacts(s);
      }
      return undefined;
    case "delete_disk":
      s.disks = s.disks.filter((d) => d.cid !== firstArg);
      if (!s.disks.some((d) => d.id === s.current_disk_id)) s.current_disk_id = "";
      return undefined;
    case "delete_stemcell":
      s.stemcells = s.stemcells.filter((d) => d.cid !== firstArg);
      if (!s.stemcells.some((d) => d.id === s.current_stemcell_id)) s.current_stemcell_id = "";
      return undefined;
    default:
      // attach_disk, detach_disk: the state file does not record attachments.
      return undefined;
  }
}

function whatItMayHaveDone(call: RecoveredCallLike): string {
  const agent = typeof call.tag?.["agent_id"] === "string" ? ` for agent '${call.tag["agent_id"]}'` : "";
  switch (call.method) {
    case "create_vm":
      return `created a VM${agent} that no state file records`;
    case "create_disk":
      return "created a disk that no state file records";
    default:
      return "uploaded a stemcell that no state file records";
  }
}

/** A recovered create_* result as the CPI client returns it: a CID, or {cid} for create_vm. */
function cidOf(result: unknown): string {
  if (result !== null && typeof result === "object" && "cid" in result) return String((result as { cid: unknown }).cid);
  return String(result);
}
