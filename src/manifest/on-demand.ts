/**
 * Work that starts when first asked for, once: the late variables' keys are made when the
 * deploy has begun acting, not while the artefacts are validated, where they would take a core.
 */
export interface OnDemand<T> {
  /** Starts the work on the first call; every call returns the same promise. */
  get(): Promise<T>;
  /** The work's promise once started: what must settle before its resources (the vars store) are left. */
  readonly begun: Promise<T> | undefined;
}

export function onDemand<T>(start: () => Promise<T>): OnDemand<T> {
  let begun: Promise<T> | undefined;
  return {
    get() {
      if (begun === undefined) {
        begun = start();
        // Whoever asked reports a failure; an unobserved one must not end the process.
        begun.catch(() => undefined);
      }
      return begun;
    },
    get begun() {
      return begun;
    },
  };
}
