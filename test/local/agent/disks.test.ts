// Persistent disks against a real agent in its own mount namespace: bind mounts on store,
// data surviving unmount/remount, migration to a second disk. Files are written and read inside
// the agent's namespace (nsenter), where jobs would see /var/vcap/store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, callTask, taskValue } from "./support/agent-rpc.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";

const IP = "127.0.20.4";
let agent: StartedAgent;
let work: string;
let diskA: string;
let diskB: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "agent-disks-test-"));
  diskA = join(work, "disk-a");
  diskB = join(work, "disk-b");
  await mkdir(diskA);
  await mkdir(diskB);
  agent = await startAgent({ ip: IP, baseDir: join(work, "vm"), settings: diskSettings() });
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

function diskSettings(): Record<string, unknown> {
  return { disks: { system: "", ephemeral: "", persistent: { "disk-a": { path: diskA } } } };
}

/** Runs a shell command inside the agent's mount namespace, i.e. as a job on the VM would. */
function inVm(script: string): string {
  return execFileSync("nsenter", ["-t", String(agent.pid), "-m", "bash", "-c", script], { cwd: agent.baseDir }).toString();
}

describe("persistent disks", () => {
  it("rejects disks it does not know", async () => {
    const reply = await callTask(agent, "mount_disk", ["nope"]);
    expect(reply.exception?.message).toMatch(/result: Reading persistent disk settings: Persistent disk with volume id 'nope' could not be found$/);
  });

  it("mounts a disk on store and keeps its data across unmount and remount", async () => {
    expect(await call(agent, "list_disk")).toEqual({ value: [] });
    expect(await taskValue(agent, "mount_disk", ["disk-a"])).toEqual({});
    expect(await call(agent, "list_disk")).toEqual({ value: ["disk-a"] });
    inVm(`echo kept > ${agent.baseDir}/store/uuid`);
    expect(await readFile(join(diskA, "uuid"), "utf8")).toBe("kept\n");

    const unmounted = (await taskValue(agent, "unmount_disk", ["disk-a"])) as { message: string };
    expect(unmounted.message).toMatch(/^Unmounted partition of /);
    expect(inVm(`ls -A ${agent.baseDir}/store`)).toBe("");
    expect(await call(agent, "list_disk")).toEqual({ value: [] });
    expect(((await taskValue(agent, "unmount_disk", ["disk-a"])) as { message: string }).message).toMatch(/^Partition of .* is not mounted$/);

    await taskValue(agent, "mount_disk", ["disk-a"]);
    expect(inVm(`cat ${agent.baseDir}/store/uuid`)).toBe("kept\n");
  });

  it("migrates data to a disk given by hint", async () => {
    expect(await taskValue(agent, "add_persistent_disk", ["disk-b", { path: diskB }])).toEqual({});
    expect(await taskValue(agent, "mount_disk", ["disk-b"])).toEqual({});
    expect(new Set((await call(agent, "list_disk")).value as string[])).toEqual(new Set(["disk-a", "disk-b"]));
    expect(inVm(`ls -A ${agent.baseDir}/store_migration_target`)).toBe("");

    expect(await taskValue(agent, "migrate_disk")).toEqual({});
    expect(await call(agent, "list_disk")).toEqual({ value: ["disk-b"] });
    expect(await readFile(join(diskB, "uuid"), "utf8")).toBe("kept\n");
    expect(inVm(`cat ${agent.baseDir}/store/uuid; mountpoint -q ${agent.baseDir}/store_migration_target || echo target-free`)).toBe("kept\ntarget-free\n");

    await taskValue(agent, "unmount_disk", ["disk-b"]);
    expect(await taskValue(agent, "remove_persistent_disk", ["disk-b"])).toEqual({});
    expect((await callTask(agent, "mount_disk", ["disk-b"])).exception?.message).toContain("Persistent disk with volume id 'disk-b' could not be found");
  });

  it("mounts the last mounted disk again when the agent restarts", async () => {
    await taskValue(agent, "mount_disk", ["disk-a"]);
    const { baseDir, certificates, password } = agent;
    await agent.stop();
    agent = await startAgent({ ip: IP, baseDir, certificates, password, settings: diskSettings() });
    expect(await call(agent, "list_disk")).toEqual({ value: ["disk-a"] });
    expect(inVm(`cat ${agent.baseDir}/store/uuid`)).toBe("kept\n");
  });
});
