/**
 * How long to wait before asking again, for waits whose answer usually comes soon (an agent
 * starting, a task finishing, a job coming up): the first retry after FIRST_RETRY_MS, each
 * later one twice as long, never more than the cap, so that a quick answer is seen within a few
 * milliseconds and a slow one costs at most one cap of idle time. At 25 ms, each of a deploy's
 * dozen agent tasks that end in a few ms (mount, apply, run_script, stop) was seen 25-40 ms
 * after it started; from 5 ms the same costs two more get_task calls of ~5 ms each, and a task's
 * end is seen at most as late again as it took.
 */
export const FIRST_RETRY_MS = 5;

/** The delay before retry number `retry` (0 for the first). */
export function backoffDelayMs(retry: number, capMs: number): number {
  return Math.min(capMs, FIRST_RETRY_MS * 2 ** Math.min(retry, 30));
}
