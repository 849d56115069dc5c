/**
 * The external CPI wire protocol, decoded once at the boundary (reference: bosh-cli-create-env.md §5).
 * Request: {"method", "arguments": [...], "context": {...}, "api_version"} on stdin.
 * Response: {"result", "error": null | {"type", "message", "ok_to_retry"}, "log"} on stdout.
 * Everything here is pure: the executable in main.ts does the reading and writing.
 */
import { isRecord } from "../../common/index.js";
import { cloudError, type CpiErrorType, type CpiFailure } from "../shared/index.js";

export const CPI_API_VERSION = 2;
export const STEMCELL_FORMATS = ["local-tgz"] as const;

export interface CpiRequest {
  method: string;
  arguments: unknown[];
  context: Record<string, unknown>;
  apiVersion: number;
}

export interface CpiResponse {
  result: unknown;
  error: null | { type: CpiErrorType; message: string; ok_to_retry: boolean };
  log: string;
}

export function decodeRequest(text: string): CpiRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw cloudError("Invalid request: stdin must hold one JSON object {method, arguments, context}");
  }
  if (!isRecord(raw)) throw cloudError("Invalid request: stdin must hold one JSON object {method, arguments, context}");
  const { method, arguments: args, context, api_version: apiVersion } = raw;
  if (typeof method !== "string" || method === "") throw cloudError("Invalid request: 'method' must be a non-empty string");
  if (args !== undefined && args !== null && !Array.isArray(args)) {
    throw cloudError(`Invalid request: 'arguments' of '${method}' must be an array`);
  }
  return {
    method,
    arguments: Array.isArray(args) ? args : [],
    context: isRecord(context) ? context : {},
    apiVersion: typeof apiVersion === "number" ? apiVersion : 1,
  };
}

export function successResponse(result: unknown, log = ""): CpiResponse {
  return { result, error: null, log };
}

export function failureResponse(failure: CpiFailure, log = ""): CpiResponse {
  return { result: null, error: { type: failure.type, message: failure.message, ok_to_retry: failure.okToRetry }, log };
}

/** Typed access to positional arguments: a wrong type is the caller's bug, reported as CloudError. */
export class Args {
  constructor(
    private readonly method: string,
    private readonly values: unknown[],
  ) {}

  string(index: number, name: string): string {
    const value = this.values[index];
    if (typeof value !== "string" || value === "") throw this.invalid(index, name, "a non-empty string");
    return value;
  }

  record(index: number, name: string): Record<string, unknown> {
    const value = this.values[index];
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) throw this.invalid(index, name, "an object");
    return value;
  }

  positiveInteger(index: number, name: string): number {
    const value = this.values[index];
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      throw this.invalid(index, name, "a positive integer");
    }
    return value;
  }

  optionalString(index: number): string | undefined {
    const value = this.values[index];
    return typeof value === "string" && value !== "" ? value : undefined;
  }

  private invalid(index: number, name: string, expected: string): CpiFailure {
    return cloudError(`Invalid arguments for '${this.method}': argument ${index} (${name}) must be ${expected}`);
  }
}
