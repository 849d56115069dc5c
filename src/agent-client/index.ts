/**
 * src/agent-client: talks to a BOSH agent over its HTTPS mbus, directly, through an SSH tunnel or
 * through BOSH_ALL_PROXY. See types.ts for the contract.
 */
export { createAgentClient } from "./agent-client.js";
export { AgentUnreachableError } from "./transport-failure.js";
export type { FailureLayer } from "./transport-failure.js";
export { BlobNotFoundError } from "./blob-transfer.js";
export { publicKeyFingerprint, sha256Fingerprint } from "./host-key.js";
export type {
  AgentClient,
  AgentClientOptions,
  AgentState,
  BlobDigests,
  BlobStream,
  CompilePackageArgs,
  SshTunnelOptions,
  UploadOptions,
} from "./types.js";
