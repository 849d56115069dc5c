/**
 * The three ways a CPI call fails, as BootstrapErrors with stable codes:
 * CPI_ERROR (the CPI answered with an error), CPI_EXITED (it did not answer properly),
 * CPI_TIMEOUT (it did not finish in time and was killed).
 */
import { BootstrapError, redact } from "../common/index.js";

export class CpiError extends BootstrapError {
  /** The CPI's error type, e.g. "Bosh::Clouds::VMNotFound". */
  readonly cpiType: string;
  readonly cpiMessage: string;
  readonly okToRetry: boolean;
  readonly method: string;

  constructor(method: string, cpiType: string, cpiMessage: string, okToRetry: boolean) {
    super("CPI_ERROR", `CPI '${method}' failed: ${cpiType}: ${redact(cpiMessage)}`, {
      hint: hintFor(cpiType),
    });
    this.name = "CpiError";
    this.method = method;
    this.cpiType = cpiType;
    this.cpiMessage = redact(cpiMessage);
    this.okToRetry = okToRetry;
  }
}

/** The type we give a result the CPI returned in a shape its API version does not allow. */
export const INVALID_RESULT_TYPE = "Bootstrap::InvalidCpiResult";

const NOT_FOUND_TYPES = new Set(["Bosh::Clouds::VMNotFound", "Bosh::Clouds::DiskNotFound", "Bosh::Clouds::StemcellNotFound"]);

export function isCpiNotFound(error: unknown): boolean {
  return error instanceof CpiError && NOT_FOUND_TYPES.has(error.cpiType);
}

/** bosh-cli's rule (cloud/errors.go), including the two older spellings of "no such method". */
export function isCpiNotImplemented(error: unknown): boolean {
  if (!(error instanceof CpiError)) return false;
  return (
    error.cpiType === "Bosh::Clouds::NotImplemented" ||
    (error.cpiType === "Bosh::Clouds::CloudError" && error.cpiMessage.startsWith("Invalid Method:")) ||
    (error.cpiType === "InvalidCall" && error.cpiMessage.startsWith("Method is not known, got"))
  );
}

function hintFor(cpiType: string): string {
  if (NOT_FOUND_TYPES.has(cpiType)) {
    return "The IaaS no longer has this resource; if it was deleted outside bootstrap, run the same command again.";
  }
  if (cpiType === INVALID_RESULT_TYPE) return "The CPI release may not support this CPI API version; check its version.";
  return "The message above comes from the CPI; fix its cause (credentials, quotas, cloud_properties) and run the same command again.";
}

export interface ExitFacts {
  method: string;
  cpiPath: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** What was wrong with stdout, when the exit status alone does not explain the failure. */
  problem?: string;
}

export function cpiExited(facts: ExitFacts): BootstrapError {
  const how =
    facts.signal !== undefined
      ? `was killed by ${facts.signal}`
      : facts.exitCode !== undefined && facts.exitCode !== 0
        ? `exited with code ${facts.exitCode}`
        : `exited with code 0 but ${facts.problem ?? "printed no JSON response"}`;
  return new BootstrapError("CPI_EXITED", `CPI '${facts.method}' (${facts.cpiPath}) ${how}.`, {
    details: outputDetails(facts.stdout, facts.stderr),
    hint: "The CPI's own output is above; the full output is in the debug log. A CPI must print exactly one JSON response on stdout.",
  });
}

export function cpiTimedOut(method: string, timeoutMs: number, mutating: boolean, stderr: string): BootstrapError {
  return new BootstrapError("CPI_TIMEOUT", `CPI '${method}' did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`, {
    details: outputDetails("", stderr),
    hint: mutating
      ? "It may have left a half-created resource in the IaaS: check there, then run the same command again."
      : "Check that the IaaS is reachable from this machine, then run the same command again.",
  });
}

/** The tail of stderr (where a CPI explains itself) and the head of unexpected stdout, redacted. */
function outputDetails(stdout: string, stderr: string): string[] {
  const details: string[] = [];
  const lines = stderr.trimEnd().split("\n").filter((l) => l !== "");
  if (lines.length > 0) details.push("last lines of stderr:", ...lines.slice(-15).map((l) => `  ${redact(l)}`));
  const out = stdout.trim();
  if (out !== "") details.push(`stdout: ${redact(out.length > 500 ? `${out.slice(0, 500)}…` : out)}`);
  return details;
}

export function cpiNotStarted(method: string, cpiPath: string, reason: string): BootstrapError {
  return new BootstrapError("CPI_EXITED", `CPI '${method}' could not be started (${cpiPath}): ${reason}`, {
    hint: "The CPI installation is incomplete or not executable: remove the installation directory and run the same command again to reinstall it.",
  });
}
