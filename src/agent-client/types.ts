/**
 * The public shape of the agent client (see contracts.md "src/agent-client"). Kept apart from
 * the implementation so callers and fakes depend on the interface only.
 */
import type { Logger } from "../common/index.js";

export interface SshTunnelOptions {
  host: string;
  port: number;
  user: string;
  /** PEM text of the private key (the manifest layer reads files). */
  privateKey?: string;
  password?: string;
  /** "SHA256:<base64>" as OpenSSH prints it; when absent the seen key is logged and pinned for the session. */
  hostKeyFingerprint?: string;
}

export interface AgentClientOptions {
  mbusUrl: string;
  caCert?: string;
  sshTunnel?: SshTunnelOptions;
  /** BOSH_ALL_PROXY: `ssh+socks5://user@host:port?private-key=PATH` or `socks5://host:port`. */
  allProxy?: string;
  directorId: string;
  logger: Logger;
  signal?: AbortSignal;
  /** TCP connect timeout for every hop (mbus, SSH server, proxy), default 10 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive interval; three unanswered keepalives drop the connection (then it reconnects). Default 10 s. */
  sshKeepaliveIntervalMs?: number;
  /** get_task polling interval, default 500 ms. */
  taskPollIntervalMs?: number;
  /** How long an async task may run before AGENT_TASK_FAILED, default 30 minutes. */
  taskTimeoutMs?: number;
  /** Consecutive transport errors tolerated while polling a task, default 10 (as bosh-cli). */
  taskTransportErrorLimit?: number;
}

export interface AgentState extends Record<string, unknown> {
  job_state: string;
  processes?: { name: string; state: string }[];
  networks?: Record<string, { ip?: string }>;
}

export interface CompilePackageArgs {
  blobstoreId: string;
  sha1: string;
  name: string;
  version: string;
  deps: Record<string, { name: string; version: string; sha1: string; blobstore_id: string }>;
}

export interface BlobDigests {
  sha1: string;
  /** `sha256:<hex>` is what bosh multi-digests use; this is the bare hex. */
  sha256: string;
  size: number;
}

export interface UploadOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

export interface AgentClient {
  ping(): Promise<void>;
  /**
   * SHA256 fingerprint of the SSH tunnel's host key once connected (the pinned one, or the one
   * accepted on first use), so callers can pin it on later runs; undefined without a tunnel.
   */
  sshHostKey(): string | undefined;
  waitUntilReady(o: { timeoutMs: number; intervalMs?: number }): Promise<void>;
  getState(full?: boolean): Promise<AgentState>;
  apply(spec: object): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  drain(type: "shutdown" | "update", spec?: object): Promise<number>;
  runScript(name: string, env?: Record<string, string>): Promise<void>;
  compilePackage(a: CompilePackageArgs): Promise<{ blobstoreId: string; sha1: string }>;
  mountDisk(cid: string): Promise<void>;
  unmountDisk(cid: string): Promise<void>;
  listDisk(): Promise<string[]>;
  migrateDisk(): Promise<void>;
  addPersistentDisk(cid: string, hint: unknown): Promise<void>;
  removePersistentDisk(cid: string): Promise<void>;
  fetchLogs(logTypes: string, filters: string[]): Promise<{ blobstoreId: string; sha1: string }>;
  uploadBlob(source: string, opts?: UploadOptions): Promise<{ blobId: string } & BlobDigests>;
  downloadBlob(blobId: string, destPath: string): Promise<BlobDigests>;
  close(): Promise<void>;
}
