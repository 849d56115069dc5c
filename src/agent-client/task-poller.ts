/**
 * Waits for an asynchronous agent task: the action's first answer carries `agent_task_id`, then
 * get_task is polled until the value is no longer "running". Transport failures while polling are
 * tolerated a bounded number of times in a row (the tunnel may be reconnecting); a task exception
 * or the deadline ends the wait with AGENT_TASK_FAILED carrying the agent's own message.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelayMs, BootstrapError, redact } from "../common/index.js";
import { readTaskProgress, type AgentResponse } from "./rpc-envelope.js";
import { AgentUnreachableError } from "./transport-failure.js";

export interface TaskPollSettings {
  intervalMs: number;
  timeoutMs: number;
  transportErrorLimit: number;
  signal?: AbortSignal | undefined;
  now?: () => number;
  /** How to pause between polls (node:timers/promises' setTimeout unless a test scripts it). */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<unknown>;
}

const defaultSleep = (ms: number, signal: AbortSignal | undefined): Promise<unknown> => sleep(ms, undefined, signal ? { signal } : undefined);

/** Sends one RPC and returns its decoded envelope; throws AgentUnreachableError on transport failure. */
export type SendRpc = (method: string, args: unknown[]) => Promise<AgentResponse>;

export async function waitForTask(method: string, first: unknown, send: SendRpc, settings: TaskPollSettings): Promise<unknown> {
  let progress = readTaskProgress(first);
  if (progress.kind === "finished") return progress.value;
  const taskId = progress.taskId;
  const now = settings.now ?? Date.now;
  const deadline = now() + settings.timeoutMs;
  let transportErrors = 0;
  let polls = 0;
  for (;;) {
    if (now() >= deadline) {
      throw new BootstrapError("AGENT_TASK_FAILED", `Agent task ${taskId} (${method}) still running after ${settings.timeoutMs} ms`, {
        hint: "Check the agent log on the VM (/var/vcap/bosh/log/current) for what the task is doing",
      });
    }
    // Most tasks (mount, run_script, apply) finish in well under a second: poll soon, then
    // back off to the configured interval for long ones such as compile_package.
    const delay = backoffDelayMs(polls++, settings.intervalMs);
    await (settings.sleep ?? defaultSleep)(delay, settings.signal);
    let response: AgentResponse;
    try {
      response = await send("get_task", [taskId]);
      transportErrors = 0;
    } catch (error) {
      if (!(error instanceof AgentUnreachableError) || error.permanent || ++transportErrors > settings.transportErrorLimit) throw error;
      continue;
    }
    if (response.kind === "exception") {
      throw new BootstrapError("AGENT_TASK_FAILED", `Agent task ${method} failed: ${redact(response.message)}`, {
        hint: "The message above is the agent's; its log on the VM (/var/vcap/bosh/log/current) has the details",
      });
    }
    progress = readTaskProgress(response.value);
    if (progress.kind === "finished") return progress.value;
  }
}
