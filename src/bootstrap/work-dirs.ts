/**
 * A run's scratch directory under ~/.bootstrap/tmp (extracted releases, rendered templates),
 * named after the command and the run's pid: `deploy-<pid>-XXXXXX`. A run removes its own on
 * the way out; one killed with -9 cannot, so every session sweeps the directories whose run is
 * no longer alive — once the CPI calls such a run left running have ended (a create_stemcell
 * reads its image from there).
 */
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isAlive, type Logger } from "../common/index.js";

const COMMANDS = ["deploy", "delete", "stop", "start"] as const;
const OURS = /^(deploy|delete|stop|start)-(\d+)-[A-Za-z0-9]{6}$/;
/** Named before runs put their pid in the name: kept while they might still be in use. */
const UNNAMED = /^(deploy|delete)-[A-Za-z0-9]{6}$/;
const UNNAMED_STALE_AFTER_MS = 60 * 60 * 1000;

export async function makeWorkDir(tmp: string, command: (typeof COMMANDS)[number]): Promise<string> {
  await mkdir(tmp, { recursive: true });
  return mkdtemp(join(tmp, `${command}-${process.pid}-`));
}

/** Which entries of the tmp dir are a gone run's scratch directory (pure but for the liveness probe). */
export function staleWorkDirs(
  names: readonly string[],
  alive: (pid: number) => boolean,
  ageMs: (name: string) => number | undefined,
): string[] {
  return names.filter((name) => {
    const ours = OURS.exec(name);
    if (ours !== null) {
      const pid = Number(ours[2]);
      return pid !== process.pid && !alive(pid);
    }
    if (!UNNAMED.test(name)) return false;
    const age = ageMs(name);
    return age !== undefined && age > UNNAMED_STALE_AFTER_MS;
  });
}

export async function sweepStaleWorkDirs(tmp: string, logger: Logger): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return; // no tmp dir yet
  }
  const ages = new Map<string, number>();
  for (const name of names.filter((n) => UNNAMED.test(n))) {
    const info = await stat(join(tmp, name)).catch(() => undefined);
    if (info !== undefined) ages.set(name, Date.now() - info.mtimeMs);
  }
  for (const name of staleWorkDirs(names, isAlive, (n) => ages.get(n))) {
    logger.debug(`removing ${join(tmp, name)}, left by a run that is gone`);
    await rm(join(tmp, name), { recursive: true, force: true }).catch((error: unknown) =>
      logger.warn(`could not remove ${join(tmp, name)}: ${(error as Error).message}`),
    );
  }
}
