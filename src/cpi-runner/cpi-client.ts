/**
 * The CPI as an object: one method per CPI method create-env uses (reference §5.5), each
 * spawning `bin/cpi` once. `info` runs once per client; calls that create or delete something
 * are journaled (see journal.ts) and always run to their end; calls that fail with
 * ok_to_retry are retried a bounded number of times.
 */
import { randomBytes } from "node:crypto";
import { BootstrapError, redact, sleep } from "../common/index.js";
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

type Tag = Record<string, unknown> | undefined;

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
    this.infoPromise ??= this.call("info", [], undefined, 1)
      .then(decodeInfo)
      .catch((error: unknown) => {
        if (isCpiNotImplemented(error)) return { api_version: 1, stemcell_formats: [] };
        this.infoPromise = undefined; // let a later call ask again
        throw error;
      });
    return this.infoPromise;
  }

  async createStemcell(imagePath: string, cloudProperties: object, tag?: Record<string, unknown>): Promise<string> {
    return decodeCid("create_stemcell", await this.negotiated("create_stemcell", [imagePath, cloudProperties], tag));
  }

  async deleteStemcell(cid: string): Promise<void> {
    await this.negotiated("delete_stemcell", [cid]);
  }

  async createVm(a: CreateVmArgs, tag?: Record<string, unknown>): Promise<{ cid: string; networks?: unknown }> {
    const args = [a.agentId, a.stemcellCid, a.cloudProperties, a.networks, a.diskCids, a.env];
    return decodeCreateVm(await this.negotiated("create_vm", args, tag));
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

  async deleteVm(cid: string): Promise<void> {
    await this.negotiated("delete_vm", [cid]);
  }

  async hasVm(cid: string): Promise<boolean> {
    return decodeBoolean("has_vm", await this.negotiated("has_vm", [cid]));
  }

  async setVmMetadata(cid: string, metadata: Record<string, string>): Promise<void> {
    await this.negotiated("set_vm_metadata", [cid, metadata]);
  }

  async createDisk(sizeMb: number, cloudProperties: object, vmCid: string, tag?: Record<string, unknown>): Promise<string> {
    return decodeCid("create_disk", await this.negotiated("create_disk", [sizeMb, cloudProperties, vmCid], tag));
  }

  /** API v2: the disk hint to pass to the agent's add_persistent_disk; v1: null. */
  async attachDisk(vmCid: string, diskCid: string): Promise<unknown> {
    const result = await this.negotiated("attach_disk", [vmCid, diskCid]);
    return decodeAttachDisk(result, await this.apiVersion());
  }

  async detachDisk(vmCid: string, diskCid: string): Promise<void> {
    await this.negotiated("detach_disk", [vmCid, diskCid]);
  }

  async deleteDisk(cid: string): Promise<void> {
    await this.negotiated("delete_disk", [cid]);
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

  private async negotiated(method: CpiMethod, args: unknown[], tag?: Tag): Promise<unknown> {
    return this.call(method, args, tag, await this.apiVersion());
  }

  /** One CPI method, retried while the CPI says retrying is safe. */
  private async call(method: CpiMethod, args: unknown[], tag: Tag, apiVersion: number): Promise<unknown> {
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      this.throwIfAborted(method);
      try {
        return await this.attempt(method, args, tag, apiVersion);
      } catch (error) {
        const delay = delays[attempt];
        if (!(error instanceof CpiError) || !error.okToRetry || delay === undefined) throw error;
        this.logger.debug(`cpi ${method}: ${error.cpiType} with ok_to_retry; retry ${attempt + 1} of ${delays.length} in ${delay} ms`);
        await sleep(delay, this.opts.signal, { onAbort: "resolve" }); // the retry loop checks the signal next
      }
    }
  }

  private async attempt(method: CpiMethod, args: unknown[], tag: Tag, apiVersion: number): Promise<unknown> {
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
      const { outcome, stdout, stderr } = MUTATING_METHODS.has(method)
        ? await this.runJournaled(method, args, tag, apiVersion, requestId, input)
        : await this.runPiped(input);
      const result = this.interpret(method, outcome, stdout, stderr);
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
   * The intent record is on disk before the CPI starts, and the CPI writes to files, not to
   * pipes of ours: killed at any point, we leave a call the next run can finish and adopt.
   */
  private async runJournaled(method: CpiMethod, args: unknown[], tag: Tag, apiVersion: number, requestId: string, input: string) {
    const record: JournalRecord = {
      version: 1,
      request_id: requestId,
      method,
      arguments: redactArguments(args),
      ...(tag === undefined ? {} : { tag }),
      api_version: apiVersion,
      cpi_path: this.opts.installation.cpiPath,
      started_at: new Date().toISOString(),
    };
    const files = await writeIntent(this.opts.journalDir, record);
    const fds = await openOutputs(files);
    const onAbort = (): void => this.logger.warn(`interrupted: letting CPI '${method}' finish first, so what it does is recorded`);
    this.opts.signal?.addEventListener("abort", onAbort, { once: true });
    let pidRecorded: Promise<void> = Promise.resolve();
    let outcome: CpiProcessOutcome;
    try {
      outcome = await runCpiProcess({
        ...this.processBase(input),
        outputFds: fds,
        onSpawn: (pid) => {
          const start = processStat(pid)?.start;
          // Without the pid, recovery still finds the CPI through its open response file: warn only.
          pidRecorded = writeRecord(files.record, { ...record, pid, ...(start === undefined ? {} : { pid_start: start }) }).catch(
            (error: unknown) => this.logger.warn(`could not record the pid of CPI '${method}': ${(error as Error).message}`),
          );
        },
      });
    } finally {
      this.opts.signal?.removeEventListener("abort", onAbort);
      await fds.close();
    }
    await pidRecorded;
    const { stdout, stderr } = await readOutputs(files);
    await forget(files);
    return { outcome, stdout, stderr };
  }

  private processBase(input: string) {
    return {
      cpiPath: this.opts.installation.cpiPath,
      env: { ...definedEnv(process.env), ...this.opts.installation.env },
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

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
