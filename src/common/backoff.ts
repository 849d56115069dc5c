/**
 * How long to wait before asking again, for waits whose answer usually comes soon (an agent
 * starting, a task finishing, a job coming up): the first retry after FIRST_RETRY_MS, each
 * later one twice as long, never more than the cap, so that a quick answer is seen within a few
 * milliseconds and a slow one costs at most one cap of idle time.
 */
export const FIRST_RETRY_MS = 25;

/** The delay before retry number `retry` (0 for the first). */
export function backoffDelayMs(retry: number, capMs: number): number {
  return Math.min(capMs, FIRST_RETRY_MS * 2 ** Math.min(retry, 30));
}
