/**
 * The mbus JSON envelope, decoded once at the boundary: requests are
 * `{method, arguments, reply_to}`, responses `{value}` or `{exception: {message}}`, and an async
 * action's first answer (and a still-running get_task) is `{value: {agent_task_id, state}}`.
 */
import { isRecord } from "../common/index.js";
export interface AgentRequest {
  method: string;
  arguments: unknown[];
  reply_to: string;
}

export type AgentResponse = { kind: "value"; value: unknown } | { kind: "exception"; message: string };

export type TaskProgress = { kind: "running"; taskId: string } | { kind: "finished"; value: unknown };

export function encodeRequest(method: string, args: unknown[], replyTo: string): string {
  const request: AgentRequest = { method, arguments: args, reply_to: replyTo };
  return JSON.stringify(request);
}

/** Returns undefined when the body is not an envelope at all (the caller reports it with context). */
export function decodeResponse(body: string): AgentResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const exception = parsed["exception"];
  if (isRecord(exception)) {
    const message = exception["message"];
    return { kind: "exception", message: typeof message === "string" ? message : JSON.stringify(exception) };
  }
  if ("value" in parsed) return { kind: "value", value: parsed["value"] };
  return undefined;
}

/** A value that is a map holding `agent_task_id` means "still running" (as bosh-cli reads it). */
export function readTaskProgress(value: unknown): TaskProgress {
  if (isRecord(value) && typeof value["agent_task_id"] === "string" && value["state"] === "running") {
    return { kind: "running", taskId: value["agent_task_id"] };
  }
  return { kind: "finished", value };
}

export function isUnknownMessage(message: string): boolean {
  return message.includes("unknown message");
}

