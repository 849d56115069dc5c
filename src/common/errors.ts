/**
 * The one error type that crosses boundaries. Every failure a user can act on is a
 * BootstrapError with a stable code (tests and scripts match on it), a message that says what
 * went wrong, and a hint that names what to do next. Anything else reaching the CLI is a bug
 * and is shown with its stack.
 */
export type ErrorCode =
  | "USAGE"
  | "FILE_NOT_FOUND"
  | "YAML_INVALID"
  | "YAML_TOO_LARGE"
  | "OPS_INVALID"
  | "VARIABLES_MISSING"
  | "VARIABLES_UNUSED"
  | "VARIABLE_INVALID"
  | "CERTIFICATE_INVALID"
  | "VARS_STORE_INVALID"
  | "VARS_STORE_LOCKED"
  | "MANIFEST_INVALID"
  | "STATE_LOCKED"
  | "STATE_INVALID"
  | "STATE_VERSION_UNSUPPORTED"
  | "STATE_WRITE_FAILED"
  | "RELEASE_INVALID"
  | "STEMCELL_INVALID"
  | "STEMCELL_UNSUPPORTED"
  | "DOWNLOAD_FAILED"
  | "DIGEST_MISMATCH"
  | "UNSAFE_ARCHIVE"
  | "ARCHIVE_TOO_LARGE"
  | "TEMPLATE_RENDER_FAILED"
  | "PACKAGE_COMPILE_FAILED"
  | "CPI_INSTALL_FAILED"
  | "CPI_RELEASE_OS_MISMATCH"
  | "CPI_ERROR"
  | "CPI_EXITED"
  | "CPI_TIMEOUT"
  | "CPI_UNSUPPORTED"
  | "AGENT_UNREACHABLE"
  | "AGENT_ERROR"
  | "AGENT_TASK_FAILED"
  | "BLOB_TRANSFER_FAILED"
  | "SSH_TUNNEL_FAILED"
  | "JOB_NOT_RUNNING"
  | "LOCAL_PROVIDER_UNAVAILABLE"
  | "NOT_DEPLOYED"
  | "DIRECTOR_NOT_FOUND"
  | "LOCK_NOT_FOUND"
  | "LOCK_ID_MISMATCH"
  | "INTERRUPTED";

export interface BootstrapErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** Further lines shown under the message, e.g. one per validation error. */
  details?: readonly string[] | undefined;
}

export class BootstrapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: BootstrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BootstrapError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

export function isBootstrapError(error: unknown): error is BootstrapError {
  return error instanceof BootstrapError;
}

/** The message of anything thrown, for wrapping foreign errors into ours. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
