/**
 * The CPI as an object: one method per CPI method create-env uses (reference §5.5), each
 * spawning `bin/cpi` once. `info` runs once per client; calls that create or delete something
 * are journaled (see journal.ts) and always run to their end, and the ones whose outcome the
 * state file holds take the caller's `record`: the journal lets go of the call only once it has
 * resolved. Calls that fail with ok_to_retry are retried a bounded number of times.
 */
import { randomBytes } from "node:crypto";
import { BootstrapError, redact, sleep } from "../common/index.js";
import { childEnv } from "./child-env.js";
import type { Logger } from "../common/index.js";
import { CpiError, cpiExited, cpiNotStarted, cpiTimedOut, isCpiNotImplemented } from "./cpi-error.js";
import { forget, openOutputs, processStat, readOutputs, redactArguments, writeIntent, writeRecord } from "./journal.js";
import type { JournalRecord } from "./journal.js";
import {
  MAX_API_VERSION,
  MUTATING_METHODS,
  buildRequest,
  decodeAttachDisk,
  decodeBoolean,
  decodeCid,
  decodeCreateVm,
  decodeInfo,
  decodeResponse,
  decodeSshHostKey,
} from "./protocol.js";
import type { CpiInfo, CpiMethod } from "./protocol.js";
import { runCpiProcess } from "./spawn-cpi.js";
import type { CpiProcessOutcome } from "./spawn-cpi.js";
import type { CpiClientOptions } from "./types.js";

const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;
const DEFAULT_RETRY_DELAYS_MS = [2000, 5000, 10000];
const NOTHING_TO_RECORD: Journaled<unknown> = { record: async () => undefined };

type Tag = Record<string, unknown> | undefined;

/**
 * How a call that creates or deletes something is seen through: `record` writes its outcome to
 * the state file, and until it has resolved the call stays in the journal, so a run killed (or
 * failing to write) in between leaves the call for the next run to adopt. `tag` is kept in the
 * journal with the call, for that adoption.
 */
export interface Journaled<T> {
  tag?: Record<string, unknown>;
  record(result: T): Promise<void>;
}

/** What a journaled call does once the CPI answered: decode, have it recorded, return it. */
type Settle = (result: unknown, apiVersion: number) => Promise<unknown>;

export interface CreateVmArgs {
  agentId: string;
  stemcellCid: string;
  cloudProperties: object;
  networks: object;
  diskCids: string[];
  env: object;
}

export class CpiClient {
  private readonly logger: Logger;
  private infoPromise: Promise<CpiInfo> | undefined;

  constructor(private readonly opts: CpiClientOptions) {
    this.logger = opts.logger;
  }

  /** The CPI's answer to `info` (asked once); a CPI without `info` is API version 1. */
  info(): Promise<CpiInfo> {
    this.infoPromise ??= this.call("info", [], 1)
      .then(decodeInfo)
      .catch((error: unknown) => {
        if (isCpiNotImplemented(error)) return { api_version: 1, stemcell_formats: [] };
        this.infoPromise = undefined; // let a later call ask again
        throw error;
      });
    return this.infoPromise;
  }

  createStemcell(imagePath: string, cloudProperties: object, journaled: Journaled<string>): Promise<string> {
    return this.journaled("create_stemcell", [imagePath, cloudProperties], journaled, (r) => decodeCid("create_stemcell", r));
  }

  async deleteStemcell(cid: string, journaled: Journaled<void>): Promise<void> {
    await this.journaled("delete_stemcell", [cid], journaled, () => undefined);
  }

  createVm(a: CreateVmArgs, journaled: Journaled<{ cid: string; networks?: unknown }>): Promise<{ cid: string; networks?: unknown }> {
    const args = [a.agentId, a.stemcellCid, a.cloudProperties, a.networks, a.diskCids, a.env];
    return this.journaled("create_vm", args, journaled, decodeCreateVm);
  }

  /**
   * The VM's SSH host key (an OpenSSH public key line) from a CPI that announces it knows it
   * (`vm_ssh_host_key: true` in `info`, an extension of ours); other CPIs are never asked, and
   * for them, as for a VM whose key the CPI does not know, this is undefined.
   */
  async vmSshHostKey(cid: string): Promise<string | undefined> {
    if ((await this.info()).vm_ssh_host_key !== true) return undefined;
    return decodeSshHostKey(await this.negotiated("get_vm_ssh_host_key", [cid]));
  }

  async deleteVm(cid: string, journaled: Journaled<void>): Promise<void> {
    await this.journaled("delete_vm", [cid], journaled, () => undefined);
  }

  async hasVm(cid: string): Promise<boolean> {
    return decodeBoolean("has_vm", await this.negotiated("has_vm", [cid]));
  }

  async setVmMetadata(cid: string, metadata: Record<string, string>): Promise<void> {
    await this.negotiated("set_vm_metadata", [cid, metadata]);
  }

  createDisk(sizeMb: number, cloudProperties: object, vmCid: string, journaled: Journaled<string>): Promise<string> {
    return this.journaled("create_disk", [sizeMb, cloudProperties, vmCid], journaled, (r) => decodeCid("create_disk", r));
  }

  /**
   * API v2: the disk hint to pass to the agent's add_persistent_disk; v1: null. The state file
   * does not record attachments: the journal lets go of the call once the CPI answered.
   */
  attachDisk(vmCid: string, diskCid: string): Promise<unknown> {
    return this.journaled("attach_disk", [vmCid, diskCid], NOTHING_TO_RECORD, decodeAttachDisk);
  }

  async detachDisk(vmCid: string, diskCid: string): Promise<void> {
    await this.journaled("detach_disk", [vmCid, diskCid], NOTHING_TO_RECORD, () => undefined);
  }

  async deleteDisk(cid: string, journaled: Journaled<void>): Promise<void> {
    await this.journaled("delete_disk", [cid], journaled, () => undefined);
  }

  async hasDisk(cid: string): Promise<boolean> {
    return decodeBoolean("has_disk", await this.negotiated("has_disk", [cid]));
  }

  async setDiskMetadata(cid: string, metadata: Record<string, string>): Promise<void> {
    await this.negotiated("set_disk_metadata", [cid, metadata]);
  }

  private async apiVersion(): Promise<number> {
    return Math.min((await this.info()).api_version, MAX_API_VERSION);
  }

  private async negotiated(method: CpiMethod, args: unknown[]): Promise<unknown> {
    return this.call(method, args, await this.apiVersion());
  }

  private async journaled<T>(method: CpiMethod, args: unknown[], j: Journaled<T>, decode: (result: unknown, apiVersion: number) => T): Promise<T> {
    const settle: Settle = async (result, apiVersion) => {
      const value = decode(result, apiVersion);
      await j.record(value);
      return value;
    };
    return (await this.call(method, args, await this.apiVersion(), { tag: j.tag, settle })) as T;
  }

  /** One CPI method, retried while the CPI says retrying is safe. */
  private async call(method: CpiMethod, args: unknown[], apiVersion: number, journal?: { tag: Tag; settle: Settle }): Promise<unknown> {
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      this.throwIfAborted(method);
      try {
        return await this.attempt(method, args, apiVersion, journal);
      } catch (error) {
        const delay = delays[attempt];
        if (!(error instanceof CpiError) || !error.okToRetry || delay === undefined) throw error;
        this.logger.debug(`cpi ${method}: ${error.cpiType} with ok_to_retry; retry ${attempt + 1} of ${delays.length} in ${delay} ms`);
        await sleep(delay, this.opts.signal, { onAbort: "resolve" }); // the retry loop checks the signal next
      }
    }
  }

  private async attempt(method: CpiMethod, args: unknown[], apiVersion: number, journal?: { tag: Tag; settle: Settle }): Promise<unknown> {
    const requestId = `cpi-${randomBytes(6).toString("hex")}`;
    const input = JSON.stringify(
      buildRequest(method, args, {
        directorUuid: this.opts.directorUuid,
        requestId,
        stemcellApiVersion: this.opts.stemcellApiVersion,
        apiVersion,
      }),
    );
    this.logger.debug(`cpi ${method} [${requestId}] api_version ${apiVersion} arguments ${redact(JSON.stringify(args))}`);
    const started = Date.now();
    let ok = false;
    try {
      if (MUTATING_METHODS.has(method) !== (journal !== undefined)) throw new Error(`CPI '${method}' called ${journal ? "with" : "without"} a journal`);
      let result: unknown;
      if (journal === undefined) {
        const { outcome, stdout, stderr } = await this.runPiped(input);
        result = this.interpret(method, outcome, stdout, stderr);
      } else {
        result = await this.runJournaled(method, args, apiVersion, requestId, input, journal);
      }
      ok = true;
      return result;
    } finally {
      const durationMs = Date.now() - started;
      this.logger.debug(`cpi ${method} [${requestId}] ${ok ? "succeeded" : "failed"} after ${durationMs} ms`);
      this.opts.onCall?.({ method, durationMs, ok });
    }
  }

  private async runPiped(input: string): Promise<{ outcome: CpiProcessOutcome; stdout: string; stderr: string }> {
    const outcome = await runCpiProcess({ ...this.processBase(input), signal: this.opts.signal });
    return { outcome, stdout: outcome.stdout, stderr: outcome.stderr };
  }

  /**
   * The intent record is on disk before the CPI starts, its pid before the CPI has its request,
   * and the CPI writes to files, not to pipes of ours; the record goes only once the outcome is
   * recorded (or nothing was done): killed at any point, we leave a call the next run can finish
   * and adopt.
   */
  private async runJournaled(method: CpiMethod, args: unknown[], apiVersion: number, requestId: string, input: string, journal: { tag: Tag; settle: Settle }) {
    const { tag } = journal;
    const record: JournalRecord = {
      version: 2,
      request_id: requestId,
      method,
      arguments: redactArguments(args),
      ...(tag === undefined ? {} : { tag }),
      api_version: apiVersion,
      cpi_path: this.opts.installation.cpiPath,
      started_at: new Date().toISOString(),
    };
    const files = await writeIntent(this.opts.journalDir, record);
    const onAbort = (): void => this.logger.warn(`interrupted: letting CPI '${method}' finish first, so what it does is recorded`);
    let outcome: CpiProcessOutcome;
    try {
      const fds = await openOutputs(files);
      this.opts.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        outcome = await runCpiProcess({
          ...this.processBase(input),
          outputFds: fds,
          beforeRequest: async (pid) => {
            const start = processStat(pid)?.start;
            await writeRecord(files.record, { ...record, pid, ...(start === undefined ? {} : { pid_start: start }) });
          },
        });
      } finally {
        this.opts.signal?.removeEventListener("abort", onAbort);
        await fds.close();
      }
    } catch (error) {
      // The CPI never had its request: there is nothing to adopt.
      await forget(files).catch(() => undefined);
      throw error;
    }
    const { stdout, stderr } = await readOutputs(files);
    let result: unknown;
    try {
      result = this.interpret(method, outcome, stdout, stderr);
    } catch (error) {
      // The CPI's own error (or no CPI at all) means nothing was made; anything else may have.
      if (error instanceof CpiError || outcome.spawnError !== undefined) await forget(files);
      else this.logger.warn(`CPI '${method}' ended without a usable answer; its journal entry ${files.record} is kept for the next run to report`);
      throw error;
    }
    // A failure to decode or record keeps the entry: the next run adopts (or reports) the call.
    const settled = await journal.settle(result, apiVersion);
    await forget(files);
    return settled;
  }

  private processBase(input: string) {
    return {
      cpiPath: this.opts.installation.cpiPath,
      env: childEnv(process.env, this.opts.installation.env),
      input,
      timeoutMs: this.opts.callTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
  }

  private interpret(method: CpiMethod, outcome: CpiProcessOutcome, stdout: string, stderr: string): unknown {
    const cpiPath = this.opts.installation.cpiPath;
    if (stderr !== "") this.logger.debug(`cpi ${method} stderr:\n${redact(stderr.trimEnd())}`);
    if (outcome.spawnError !== undefined) throw cpiNotStarted(method, cpiPath, outcome.spawnError);
    if (outcome.aborted) throw interrupted(method);
    if (outcome.timedOut) throw cpiTimedOut(method, this.opts.callTimeoutMs ?? DEFAULT_TIMEOUT_MS, MUTATING_METHODS.has(method), stderr);

    const response = decodeResponse(stdout);
    if (response.kind !== "invalid" && response.log !== "") this.logger.debug(`cpi ${method} log:\n${redact(response.log)}`);
    // The CPI's own error says more than its exit status, so it wins even on a non-zero exit.
    if (response.kind === "error") throw new CpiError(method, response.type, response.message, response.okToRetry);
    const facts = { method, cpiPath, exitCode: outcome.exitCode, signal: outcome.signal, stdout, stderr };
    if (outcome.exitCode !== 0 || outcome.signal !== undefined) throw cpiExited(facts);
    if (response.kind === "invalid") throw cpiExited({ ...facts, problem: response.problem });
    return response.result;
  }

  private throwIfAborted(method: string): void {
    if (this.opts.signal?.aborted === true) throw interrupted(method);
  }
}

function interrupted(method: string): BootstrapError {
  return new BootstrapError("INTERRUPTED", `Interrupted before CPI '${method}' completed.`, {
    hint: "Run the same command again to continue.",
  });
}
