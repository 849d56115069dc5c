/**
 * The agent client: BOSH agent actions over the HTTPS mbus (`POST /agent`), blobs over
 * `/blobs/`, through whichever connection plan the options call for. Connections are made lazily
 * by the first call. Agent exceptions become AGENT_ERROR (sync) or AGENT_TASK_FAILED (async);
 * transport failures are AGENT_UNREACHABLE naming the failing layer.
 */
import { BootstrapError, isRecord, redact } from "../common/index.js";
import { downloadBlob, uploadBlob } from "./blob-transfer.js";
import { planConnection } from "./connection-plan.js";
import { HttpsTransport } from "./https-transport.js";
import { parseMbusUrl } from "./mbus-url.js";
import { decodeResponse, encodeRequest, isUnknownMessage, type AgentResponse } from "./rpc-envelope.js";
import { waitForTask, type TaskPollSettings } from "./task-poller.js";
import { AgentUnreachableError } from "./transport-failure.js";
import type { AgentClient, AgentClientOptions, AgentState } from "./types.js";
import { waitUntilReady } from "./wait-until-ready.js";

const PING_TIMEOUT_MS = 10_000;
/**
 * The longest pause between two get_task calls (the first come after 5, 10, 20 ms): a task
 * that ends while we pause waits for us at most this long, and a get_task costs the agent little.
 */
const DEFAULT_TASK_POLL_MS = 250;
/** Idempotent reads may be resent after a transport error (e.g. a keep-alive socket that died). */
const IDEMPOTENT = new Set(["ping", "get_task", "get_state", "list_disk", "info"]);

export function createAgentClient(opts: AgentClientOptions): AgentClient {
  const endpoint = parseMbusUrl(opts.mbusUrl);
  const plan = planConnection({
    sshTunnel: opts.sshTunnel,
    allProxy: opts.allProxy,
    connectTimeoutMs: opts.connectTimeoutMs,
    sshKeepaliveIntervalMs: opts.sshKeepaliveIntervalMs,
    jumpboxHostKeys: opts.jumpboxHostKeys,
    onJumpboxHostKey: opts.onJumpboxHostKey,
    onWarning: opts.onWarning,
    logger: opts.logger,
  });
  const warn = opts.onWarning ?? ((message: string) => opts.logger.warn(message));
  const transport = new HttpsTransport(endpoint, plan.dial, opts.caCert, warn);
  const polling: TaskPollSettings = {
    intervalMs: opts.taskPollIntervalMs ?? DEFAULT_TASK_POLL_MS,
    timeoutMs: opts.taskTimeoutMs ?? 30 * 60_000,
    transportErrorLimit: opts.taskTransportErrorLimit ?? 10,
    signal: opts.signal,
  };

  async function sendOnce(method: string, args: unknown[], timeoutMs?: number): Promise<AgentResponse> {
    const started = performance.now();
    const response = await transport.send({
      method: "POST",
      path: "/agent",
      headers: { "Content-Type": "application/json" },
      body: encodeRequest(method, args, opts.directorId),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let body = "";
    response.setEncoding("utf8");
    for await (const chunk of response) body += chunk as string;
    if (response.statusCode !== 200) {
      throw new AgentUnreachableError("http-status", endpoint.origin, `${method} answered HTTP ${response.statusCode}: ${redact(body.slice(0, 200))}`);
    }
    const decoded = decodeResponse(body);
    if (!decoded) {
      throw new AgentUnreachableError("http-status", endpoint.origin, `${method} answered a body that is not an agent response: ${redact(body.slice(0, 200))}`);
    }
    // get_task polls would flood the log; the task's start and outcome are logged by the caller's step.
    // Durations let a log tell the agent's time from ours (bench/peer's own-time figure reads them).
    if (method !== "get_task") opts.logger.debug(`agent ${method}: ${decoded.kind} after ${elapsed(started)} ms`);
    return decoded;
  }

  async function send(method: string, args: unknown[], timeoutMs?: number): Promise<AgentResponse> {
    try {
      return await sendOnce(method, args, timeoutMs);
    } catch (error) {
      if (opts.signal?.aborted) throw interrupted(method, error);
      if (!IDEMPOTENT.has(method) || !(error instanceof AgentUnreachableError) || error.permanent) throw error;
      opts.logger.debug(`agent ${method}: ${error.message}; sending once more`);
      return sendOnce(method, args, timeoutMs);
    }
  }

  async function call(method: string, args: unknown[] = []): Promise<unknown> {
    const response = await send(method, args);
    if (response.kind === "exception") {
      throw new BootstrapError("AGENT_ERROR", `Agent ${method} failed: ${redact(response.message)}`, {
        hint: "The message above is the agent's; its log on the VM (/var/vcap/bosh/log/current) has the details",
      });
    }
    return response.value;
  }

  async function callTask(method: string, args: unknown[] = []): Promise<unknown> {
    const started = performance.now();
    const response = await send(method, args);
    if (response.kind === "exception") {
      throw new BootstrapError("AGENT_TASK_FAILED", `Agent ${method} failed: ${redact(response.message)}`, {
        hint: "The message above is the agent's; its log on the VM (/var/vcap/bosh/log/current) has the details",
      });
    }
    const value = await waitForTask(method, response.value, send, polling).catch((error: unknown) => {
      throw opts.signal?.aborted ? interrupted(method, error) : error;
    });
    opts.logger.debug(`agent ${method}: task finished after ${elapsed(started)} ms`);
    return value;
  }

  const client: AgentClient = {
    async ping() {
      await call("ping");
    },
    async waitUntilReady(o) {
      const pingOnce = async (timeoutMs: number) => {
        // No resend here: the wait loop is the retry, and it must keep to its deadline.
        const response = await sendOnce("ping", [], Math.min(timeoutMs, PING_TIMEOUT_MS));
        if (response.kind === "exception") throw new BootstrapError("AGENT_ERROR", `Agent ping failed: ${redact(response.message)}`);
      };
      await waitUntilReady(pingOnce, { ...o, target: endpoint.origin, logger: opts.logger, signal: opts.signal }).catch((error: unknown) => {
        throw opts.signal?.aborted ? interrupted("ping", error) : error;
      });
    },
    async getState(full = false) {
      const value = await call("get_state", full ? ["full"] : []);
      if (!isRecord(value) || typeof value["job_state"] !== "string") {
        throw new BootstrapError("AGENT_ERROR", `Agent get_state answered without a job_state: ${redact(JSON.stringify(value)).slice(0, 300)}`);
      }
      return value as AgentState;
    },
    async apply(spec) {
      await callTask("apply", [spec]);
    },
    async start() {
      const value = await call("start");
      if (value !== "started") throw new BootstrapError("AGENT_ERROR", `Agent start answered ${JSON.stringify(value)} instead of "started"`);
    },
    async stop() {
      await callTask("stop");
    },
    async drain(type, spec) {
      const value = await callTask("drain", [type, spec ?? {}]);
      return typeof value === "number" ? value : 0;
    },
    async runScript(name, env = {}) {
      try {
        await callTask("run_script", [name, { env }]);
      } catch (error) {
        // Old agents do not know run_script; bosh-cli skips the scripts then.
        if (error instanceof BootstrapError && error.code === "AGENT_TASK_FAILED" && isUnknownMessage(error.message)) return;
        throw error;
      }
    },
    async compilePackage(a) {
      const value = await callTask("compile_package", [a.blobstoreId, a.sha1, a.name, a.version, a.deps]);
      const result = isRecord(value) ? value["result"] : undefined;
      if (!isRecord(result) || typeof result["blobstore_id"] !== "string" || typeof result["sha1"] !== "string") {
        throw new BootstrapError("AGENT_TASK_FAILED", `Agent compile_package of ${a.name} answered without a result blob: ${JSON.stringify(value)}`);
      }
      return { blobstoreId: result["blobstore_id"], sha1: result["sha1"] };
    },
    async mountDisk(cid) {
      await callTask("mount_disk", [cid]);
    },
    async unmountDisk(cid) {
      await callTask("unmount_disk", [cid]);
    },
    async listDisk() {
      const value = await callTask("list_disk");
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new BootstrapError("AGENT_ERROR", `Agent list_disk answered ${JSON.stringify(value)} instead of a list of disk CIDs`);
      }
      return value;
    },
    async migrateDisk() {
      await callTask("migrate_disk");
    },
    async addPersistentDisk(cid, hint) {
      await callTask("add_persistent_disk", [cid, hint]);
    },
    async removePersistentDisk(cid) {
      await callTask("remove_persistent_disk", [cid]);
    },
    async fetchLogs(logTypes, filters) {
      const value = await callTask("fetch_logs", [logTypes, filters]);
      if (!isRecord(value) || typeof value["blobstore_id"] !== "string" || typeof value["sha1"] !== "string") {
        throw new BootstrapError("AGENT_TASK_FAILED", `Agent fetch_logs answered without a blob: ${JSON.stringify(value)}`);
      }
      return { blobstoreId: value["blobstore_id"], sha1: value["sha1"] };
    },
    async uploadBlob(source, o) {
      const started = performance.now();
      const blob = await uploadBlob(transport, source, { ...(opts.signal ? { signal: opts.signal } : {}), ...o });
      opts.logger.debug(`blob PUT ${blob.blobId}: ${blob.size} bytes after ${elapsed(started)} ms`);
      return blob;
    },
    async downloadBlob(blobId, destPath) {
      const started = performance.now();
      const blob = await downloadBlob(transport, blobId, destPath, opts.signal);
      opts.logger.debug(`blob GET ${blobId}: ${blob.size} bytes after ${elapsed(started)} ms`);
      return blob;
    },
    sshHostKey() {
      return plan.tunnelHostKey();
    },
    async close() {
      transport.close();
      await plan.close();
    },
  };
  return client;
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

function interrupted(method: string, cause: unknown): BootstrapError {
  return new BootstrapError("INTERRUPTED", `Interrupted while waiting for the agent's answer to ${method}`, {
    hint: "Run the command again: agent actions are safe to repeat",
    cause,
  });
}
