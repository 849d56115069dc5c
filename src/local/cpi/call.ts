/**
 * One CPI call, whichever process runs it (a CPI process of its own, or the warm helper that
 * serves many): the request text in; the response line, the log text and the exit code out,
 * exactly what an external CPI writes to stdout and stderr and exits with. Errors travel inside
 * the response, so the exit code is 0 whenever a response was made.
 */
import { readFileSync } from "node:fs";
import { decodeConfig } from "./config.js";
import { dispatch } from "./dispatch.js";
import { InventoryPaths } from "./inventory-paths.js";
import { decodeRequest, failureResponse, successResponse, type CpiResponse } from "./protocol.js";
import { CpiFailure, cloudError } from "../shared/index.js";

export interface CallOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CallInput {
  /** Path of the running cpi.js (the SSH server's bundle is found beside it). */
  cpiScript: string;
  configPath: string | undefined;
  request: string;
}

export async function runCall(input: CallInput): Promise<CallOutput> {
  const log: string[] = [];
  const response = await respond(input, log);
  return { stdout: `${JSON.stringify(response)}\n`, stderr: log.join(""), exitCode: 0 };
}

async function respond({ cpiScript, configPath, request }: CallInput, log: string[]): Promise<CpiResponse> {
  try {
    if (configPath === undefined) throw cloudError("Usage: cpi <config.json> (the config path is the first argument)");
    const decoded = decodeRequest(request);
    const config = decodeConfig(readConfig(configPath), configPath);
    return successResponse(await dispatch({ paths: new InventoryPaths(config.baseDir), config, cpiScript }, decoded));
  } catch (error) {
    if (error instanceof CpiFailure) return failureResponse(error);
    log.push(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // Unexpected (I/O) failures may well pass on a second try.
    return failureResponse(cloudError(error instanceof Error ? error.message : String(error), true));
  }
}

/**
 * Read afresh on every call, so that a re-rendered config counts from the next call on, and
 * synchronously: in the warm helper an asynchronous read takes four turns through libuv's
 * thread pool (open, stat, read, close), each a wake-up that a busy machine may delay by
 * milliseconds, and waits behind any long file operation holding the pool; a few hundred bytes
 * read on the spot cost microseconds.
 */
function readConfig(path: string): unknown {
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    throw cloudError(`Cannot read CPI config '${path}': ${(error as Error).message}`);
  }
  try {
    return JSON.parse(content);
  } catch {
    throw cloudError(`CPI config '${path}' is not valid JSON`);
  }
}
