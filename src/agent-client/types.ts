/**
 * The public shape of the agent client (see contracts.md "src/agent-client"). Kept apart from
 * the implementation so callers and fakes depend on the interface only.
 */
import type { Readable } from "node:stream";
import type { Logger } from "../common/index.js";

export interface SshTunnelOptions {
  host: string;
  port: number;
  user: string;
  /** PEM text of the private key (the manifest layer reads files). */
  privateKey?: string;
  password?: string;
  /**
   * "SHA256:<base64>" as OpenSSH prints it; a server offering another key is refused. When absent
   * the first key seen is trusted (reported through onWarning) and pinned for the session.
   */
  hostKeyFingerprint?: string;
}

export interface AgentClientOptions {
  mbusUrl: string;
  caCert?: string;
  sshTunnel?: SshTunnelOptions;
  /** BOSH_ALL_PROXY: `ssh+socks5://user@host:port?private-key=PATH[&host-key=SHA256:…]` or `socks5://host:port`. */
  allProxy?: string;
  /**
   * Jumpbox host keys seen before, by "host:port" (IPv6 as "[addr]:port"): the BOSH_ALL_PROXY
   * jumpbox's entry is its pin unless the URL's host-key= gives one.
   */
  jumpboxHostKeys?: Readonly<Record<string, string>>;
  /**
   * Called with the jumpbox's verified host key each time an SSH connection to it is up, before
   * it carries anything, so the caller can record the key as the next run's pin; a rejection
   * fails the connection.
   */
  onJumpboxHostKey?: (hostPort: string, fingerprint: string) => Promise<void>;
  /**
   * Trust downgrades: an SSH host key trusted on first use, an agent certificate not verified
   * for want of a CA. Meant for the user's terminal; logger.warn when absent.
   */
  onWarning?: (message: string) => void;
  directorId: string;
  logger: Logger;
  signal?: AbortSignal;
  /** TCP connect timeout for every hop (mbus, SSH server, proxy), default 10 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive interval; three unanswered keepalives drop the connection (then it reconnects). Default 10 s. */
  sshKeepaliveIntervalMs?: number;
  /** The longest pause between get_task polls (they start at 5 ms and double), default 250 ms. */
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

/** A blob to upload that is not a file of its own; `open()` is called again for each retry. */
export interface BlobStream {
  size: number;
  /** Names the blob in errors, e.g. "packages/ruby.tgz in /path/release.tgz". */
  label: string;
  open(): Readable;
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
  uploadBlob(source: string | BlobStream, opts?: UploadOptions): Promise<{ blobId: string } & BlobDigests>;
  downloadBlob(blobId: string, destPath: string): Promise<BlobDigests>;
  close(): Promise<void>;
}
