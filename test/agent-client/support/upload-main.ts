/**
 * Uploads one file with the agent client in a fresh process and prints
 * {ms, bytes, maxRssKb, maxRssBeforeKb} — peak RSS of this whole process, so a benchmark can check that a blob
 * is streamed rather than held in memory. argv: <options json file> <source file>.
 */
import { readFileSync } from "node:fs";
import { createAgentClient, type AgentClientOptions } from "../../../src/agent-client/index.js";
import { silentLogger } from "../../../src/common/index.js";

const [optionsFile, source] = process.argv.slice(2);
if (optionsFile === undefined || source === undefined) throw new Error("usage: upload-main <options.json> <file>");
const options = JSON.parse(readFileSync(optionsFile, "utf8")) as Omit<AgentClientOptions, "logger">;
const client = createAgentClient({ ...options, logger: silentLogger });
await client.ping();
const maxRssBeforeKb = process.resourceUsage().maxRSS;
const started = performance.now();
const result = await client.uploadBlob(source);
const ms = performance.now() - started;
await client.close();
process.stdout.write(`${JSON.stringify({ ms, bytes: result.size, maxRssKb: process.resourceUsage().maxRSS, maxRssBeforeKb })}\n`);
