/**
 * The local CPI executable: `node cpi.js <config.json>`, one JSON request on stdin, one JSON
 * response on stdout, exit 0 whenever a response was written (errors travel inside it).
 * Details of failures go to stderr, which callers only log.
 */
import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { decodeConfig } from "./config.js";
import { dispatch } from "./dispatch.js";
import { InventoryPaths } from "./inventory-paths.js";
import { decodeRequest, failureResponse, successResponse, type CpiResponse } from "./protocol.js";
import { CpiFailure, cloudError } from "../shared/index.js";

async function handle(configPath: string | undefined, input: string): Promise<CpiResponse> {
  try {
    if (configPath === undefined) throw cloudError("Usage: cpi <config.json> (the config path is the first argument)");
    const request = decodeRequest(input);
    const config = decodeConfig(await readConfig(configPath), configPath);
    const ctx = { paths: new InventoryPaths(config.baseDir), config, cpiScript: process.argv[1] ?? "" };
    return successResponse(await dispatch(ctx, request));
  } catch (error) {
    if (error instanceof CpiFailure) return failureResponse(error);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // Unexpected (I/O) failures may well pass on a second try.
    return failureResponse(cloudError(error instanceof Error ? error.message : String(error), true));
  }
}

async function readConfig(path: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    throw cloudError(`Cannot read CPI config '${path}': ${(error as Error).message}`);
  }
  try {
    return JSON.parse(content);
  } catch {
    throw cloudError(`CPI config '${path}' is not valid JSON`);
  }
}

const response = await handle(process.argv[2], await text(process.stdin));
process.stdout.write(`${JSON.stringify(response)}\n`);
