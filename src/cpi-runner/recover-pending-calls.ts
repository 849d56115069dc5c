/**
 * What the calls of a killed run did. Run before anything else touches the IaaS: waits for CPI
 * processes an earlier run left behind, reads their responses, and hands them back with a
 * `forget` the caller runs once the state file holds what the call did (journal.ts: a record
 * outlives its outcome's recording). Calls the CPI never got are forgotten here.
 */
import { access, readdir } from "node:fs/promises";
import { BootstrapError, redact } from "../common/index.js";
import type { Logger } from "../common/index.js";
import { CpiError } from "./cpi-error.js";
import { forget, isRunning, listRecords, readOutputs, requestMayHaveBeenSent } from "./journal.js";
import type { JournalRecord } from "./journal.js";
import { decodeMutatingResult, decodeResponse } from "./protocol.js";

export interface RecoveredCall {
  method: string;
  /** Redacted; for reporting. */
  arguments: unknown[];
  tag?: Record<string, unknown>;
  /**
   * result: in the shape the CpiClient method returns (createVm → {cid, networks?}, createStemcell
   * and createDisk → the CID, attachDisk → the hint or null, deletes and detach → null).
   */
  outcome: { kind: "result"; result: unknown } | { kind: "error"; error: CpiError } | { kind: "lost"; reason: string };
  /** The journal entry's file, for messages about a lost call. */
  entry: string;
  /** Lets go of the journal entry: once the state file holds the outcome (or there is none to hold). */
  forget(): Promise<void>;
}

const POLL_MS = 250;

export async function recoverPendingCalls(journalDir: string, logger: Logger, signal?: AbortSignal): Promise<RecoveredCall[]> {
  const recovered: RecoveredCall[] = [];
  for (const { record, files } of await listRecords(journalDir, logger)) {
    let announced = false;
    while (await isRunning(record, files.stdout)) {
      if (!announced) {
        logger.debug(`waiting for CPI '${record.method}' (pid ${record.pid ?? "?"}) started by an earlier run at ${record.started_at}`);
        announced = true;
      }
      if (signal?.aborted === true) {
        throw new BootstrapError("INTERRUPTED", `Interrupted while waiting for CPI '${record.method}' left running by an earlier run.`, {
          hint: "Run the same command again: it will wait for that call again and record what it did.",
        });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (!requestMayHaveBeenSent(record) || (record.pid === undefined && !(await exists(files.stdout)))) {
      // Killed before the CPI had its request (or before it was started): nothing was done.
      logger.debug(`CPI '${record.method}' of an earlier run never got its request; forgetting it`);
      await forget(files);
      continue;
    }
    const outputs = await readOutputs(files);
    if (outputs.stderr !== "") logger.debug(`cpi ${record.method} [${record.request_id}] stderr:\n${redact(outputs.stderr)}`);
    recovered.push({ ...describe(record), outcome: outcomeOf(record, outputs.stdout), entry: files.record, forget: () => forget(files) });
  }
  for (const call of recovered) {
    logger.debug(`recovered CPI '${call.method}' from an earlier run: ${redact(JSON.stringify(call.outcome))}`);
  }
  return recovered;
}

function describe(record: JournalRecord): Pick<RecoveredCall, "method" | "arguments" | "tag"> {
  return record.tag === undefined
    ? { method: record.method, arguments: record.arguments }
    : { method: record.method, arguments: record.arguments, tag: record.tag };
}

function outcomeOf(record: JournalRecord, stdout: string): RecoveredCall["outcome"] {
  const response = decodeResponse(stdout);
  switch (response.kind) {
    case "result":
      try {
        return { kind: "result", result: decodeMutatingResult(record.method, response.result, record.api_version) };
      } catch (error) {
        // It may have made something whose CID we cannot read: that is lost, not failed.
        if (error instanceof CpiError) return { kind: "lost", reason: `its result is not what '${record.method}' returns: ${error.message}` };
        throw error;
      }
    case "error":
      return { kind: "error", error: new CpiError(record.method, response.type, response.message, response.okToRetry) };
    case "invalid":
      return {
        kind: "lost",
        reason:
          record.pid === undefined && stdout === ""
            ? "the earlier run was killed as it started the CPI; the call may or may not have run"
            : `the CPI ended without a usable response (it ${response.problem})`,
      };
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** How many calls an earlier run left in the journal; reads only, for `bootstrap plan`. */
export async function pendingCallCount(journalDir: string): Promise<number> {
  try {
    return (await readdir(journalDir)).filter((name) => name.endsWith(".json")).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}
