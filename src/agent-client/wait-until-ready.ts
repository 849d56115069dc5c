/**
 * Pings the agent until it answers or the deadline passes. Failures that cannot heal by waiting
 * (certificate errors — bosh-cli stops on x509 errors too — wrong mbus credentials, a host key
 * that does not match) end the wait at once; otherwise the last failure's layer is reported.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelayMs, messageOf, type Logger } from "../common/index.js";
import { AgentUnreachableError } from "./transport-failure.js";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  target: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** How to wait between pings (node:timers/promises' setTimeout unless a test scripts it). */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<unknown>;
}

const defaultSleep = (ms: number, signal: AbortSignal | undefined): Promise<unknown> => sleep(ms, undefined, signal ? { signal } : undefined);

export async function waitUntilReady(pingOnce: (remainingMs: number) => Promise<void>, o: WaitOptions): Promise<void> {
  const interval = o.intervalMs ?? 500;
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  let last: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await pingOnce(Math.max(deadline - Date.now(), 1));
      o.logger.debug(`agent at ${o.target} answered ping after ${attempts} attempt(s)`);
      return;
    } catch (error) {
      last = error;
      if (error instanceof AgentUnreachableError && error.permanent) throw error.gaveUp("not retried: waiting cannot fix this");
      o.logger.debug(`agent at ${o.target} not ready: ${messageOf(error)}`);
    }
    // An agent that is starting answers within a few hundred ms: ask again soon, then back off
    // to the interval, so a quick agent is not waited for a whole interval.
    const delay = backoffDelayMs(attempts - 1, interval);
    if (Date.now() + delay >= deadline) break;
    await (o.sleep ?? defaultSleep)(delay, o.signal);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const how = `gave up after ${attempts} attempt(s) in ${seconds} s`;
  if (last instanceof AgentUnreachableError) throw last.gaveUp(how);
  throw new AgentUnreachableError("no-answer", o.target, `${messageOf(last)}; ${how}`, last);
}
