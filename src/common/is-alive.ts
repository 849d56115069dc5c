/**
 * Is a process with this pid alive on this host? Signal 0 checks without signalling; EPERM
 * means it exists but belongs to another user. Used to tell stale locks and partial files of
 * killed runs from those of running ones.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
