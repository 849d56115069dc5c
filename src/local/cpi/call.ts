/**
 * One CPI call, whichever process runs it (a CPI process of its own, or the warm helper that
 * serves many): the request text in; the response line, the log text and the exit code out,
 * exactly what an external CPI writes to stdout and stderr and exits with. Errors travel inside
 * the response, so the exit code is 0 whenever a response was made.
 */
import { readdirSync, readFileSync } from "node:fs";
import { decodeConfig } from "./config.js";
import { dispatch } from "./dispatch.js";
import { InventoryPaths, isLocalCid } from "./inventory-paths.js";
import { decodeRequest, failureResponse, successResponse, type CpiResponse } from "./protocol.js";
import { CpiFailure, cloudError } from "../shared/index.js";

export interface CallOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
  /**
   * This call deleted the last VM, disk or stemcell of its inventory (the end of `bootstrap
   * delete`): no call is likely to follow soon, so a warm helper need not wait for one.
   */
  emptiedInventory: boolean;
}

export interface CallInput {
  /** Path of the running cpi.js (the SSH server's bundle is found beside it). */
  cpiScript: string;
  configPath: string | undefined;
  request: string;
}

export async function runCall(input: CallInput): Promise<CallOutput> {
  const log: string[] = [];
  const { response, emptiedInventory } = await respond(input, log);
  return { stdout: `${JSON.stringify(response)}\n`, stderr: log.join(""), exitCode: 0, emptiedInventory };
}

const DELETE_METHODS = ["delete_vm", "delete_disk", "delete_stemcell"];

async function respond({ cpiScript, configPath, request }: CallInput, log: string[]): Promise<{ response: CpiResponse; emptiedInventory: boolean }> {
  try {
    if (configPath === undefined) throw cloudError("Usage: cpi <config.json> (the config path is the first argument)");
    const decoded = decodeRequest(request);
    const config = decodeConfig(readConfig(configPath), configPath);
    const paths = new InventoryPaths(config.baseDir);
    const response = successResponse(await dispatch({ paths, config, cpiScript }, decoded));
    return { response, emptiedInventory: DELETE_METHODS.includes(decoded.method) && holdsNothing(paths) };
  } catch (error) {
    if (error instanceof CpiFailure) return { response: failureResponse(error), emptiedInventory: false };
    log.push(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // Unexpected (I/O) failures may well pass on a second try.
    return { response: failureResponse(cloudError(error instanceof Error ? error.message : String(error), true)), emptiedInventory: false };
  }
}

/** No VM, disk or stemcell left (the directories are the inventory's truth, see inventory-paths.ts). */
function holdsNothing(paths: InventoryPaths): boolean {
  return [paths.vmsDir(), paths.disksDir(), paths.stemcellsDir()].every((dir) => {
    try {
      return !readdirSync(dir).some(isLocalCid);
    } catch {
      return true;
    }
  });
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
