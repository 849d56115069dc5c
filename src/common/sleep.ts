/**
 * Wait `ms` milliseconds, or less when `signal` aborts.
 *
 * On abort it rejects with the signal's reason, so the caller's interrupt error goes up
 * unchanged. With `onAbort: "resolve"` it returns early instead, for loops that check the signal
 * themselves right after and throw their own error (CPI retries, waiting for a job to run).
 */
export function sleep(ms: number, signal?: AbortSignal, options?: { onAbort?: "reject" | "resolve" }): Promise<void> {
  const resolveOnAbort = options?.onAbort === "resolve";
  if (signal?.aborted === true) return resolveOnAbort ? Promise.resolve() : Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", aborted, { once: true });
    function done(): void {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      if (resolveOnAbort) resolve();
      else reject(signal?.reason);
    }
  });
}
