/**
 * Wake-ups on changes in a directory (inotify through fs.watch), for waits on a marker file
 * that another process writes: the waiter checks when the marker appears instead of at its
 * next poll. Where the directory cannot be watched, the waiter simply polls.
 */
import { watch, type FSWatcher } from "node:fs";

export interface DirChanges {
  /** Resolves at the next change since the last call, or after `ms` without one. */
  next(ms: number): Promise<void>;
  close(): void;
}

export function dirChanges(dir: string): DirChanges {
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      changed = true;
      wake?.();
    });
    watcher.on("error", () => undefined);
  } catch {
    // gone, or no inotify watches left: the poll interval alone decides
  }
  return {
    next: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, changed ? 0 : ms);
        wake = done;
      }),
    close: () => watcher?.close(),
  };
}
