/**
 * The certificates and keys of an interpolated, validated manifest, checked as one report:
 * variables first (so a problem is named by the variable and the file that gave it), then what
 * reaching the agent takes, then every other PEM string of the manifest.
 */
import { BootstrapError } from "../../common/index.js";
import type { BootstrapManifest } from "../validate/types.js";
import { checkAgentTrust } from "./check-agent-trust.js";
import { CredentialChecker, type CredentialProblem, type CredentialReport, type UsedVariable } from "./check-credentials.js";

export type { CredentialProblem, CredentialReport, UsedVariable, VariableOrigin } from "./check-credentials.js";

export interface CredentialInput {
  document: unknown;
  variables: readonly UsedVariable[];
  manifest: BootstrapManifest;
  /** The manifest as the user named it, e.g. "bosh.yml". */
  manifestLabel: string;
  now: Date;
}

export function checkCredentials(input: CredentialInput): CredentialReport {
  const checker = new CredentialChecker(input.manifestLabel, input.now, input.variables);
  checker.checkVariables(input.variables);
  checkAgentTrust(checker, input.manifest, input.document, input.now);
  checker.checkDocument(input.document);
  return checker.report;
}

export const describeProblem = (p: CredentialProblem): string => `${p.where}: ${p.problem}`;

export function credentialsError(problems: readonly CredentialProblem[]): BootstrapError {
  const [first] = problems;
  const message =
    problems.length === 1 && first !== undefined
      ? `Invalid certificate or key at ${describeProblem(first)}`
      : `${problems.length} certificates or keys are not valid (${problems.map((p) => p.where).join("; ")})`;
  return new BootstrapError("CERTIFICATE_INVALID", message, {
    details: problems.length === 1 ? [] : problems.map(describeProblem),
    hint: [...new Set(problems.map((p) => p.fix))].join(" "),
  });
}
