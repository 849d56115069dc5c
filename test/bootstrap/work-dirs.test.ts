import { mkdir, mkdtemp, readdir, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkDir, staleWorkDirs, sweepStaleWorkDirs } from "../../src/bootstrap/work-dirs.js";
import { silentLogger } from "../../src/common/index.js";

describe("scratch directories of runs", () => {
  it("are named after the command and the run's pid", async () => {
    const tmp = join(await mkdtemp(join(tmpdir(), "work-dirs-")), "tmp");
    const dir = await makeWorkDir(tmp, "deploy");
    expect(dir.slice(tmp.length + 1)).toMatch(new RegExp(`^deploy-${process.pid}-[A-Za-z0-9]{6}$`));
  });

  it("stale: a gone run's (by pid), an unnamed one untouched for an hour; never a live run's or someone else's", () => {
    const alive = (pid: number) => pid === 100;
    const ages: Record<string, number> = { "deploy-abcDEF": 2 * 3600_000, "delete-xyz123": 60_000 };
    const names = ["deploy-100-aaaaaa", "deploy-200-bbbbbb", "delete-300-cccccc", `deploy-${process.pid}-dddddd`, "deploy-abcDEF", "delete-xyz123", "downloads", "deploy-notes"];
    expect(staleWorkDirs(names, alive, (n) => ages[n])).toEqual(["deploy-200-bbbbbb", "delete-300-cccccc", "deploy-abcDEF"]);
  });

  it("are swept at the start of a session: those of killed runs go, this run's and live ones stay", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "work-dirs-"));
    const mine = await makeWorkDir(tmp, "delete");
    for (const name of ["deploy-999999999-zzzzzz", "deploy-1-keepme", "deploy-olddir", "other"]) await mkdir(join(tmp, name, "jobs"), { recursive: true });
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(tmp, "deploy-olddir"), longAgo, longAgo);
    await sweepStaleWorkDirs(tmp, silentLogger);
    // pid 1 (init) is alive.
    expect((await readdir(tmp)).sort()).toEqual(["deploy-1-keepme", mine.slice(tmp.length + 1), "other"].sort());
    await sweepStaleWorkDirs(join(tmp, "missing"), silentLogger);
  });
});
