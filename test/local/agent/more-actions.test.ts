// The remaining actions against a real agent: fetch_logs, update_settings, list_disk under
// protocol 3, cancel_task of a drain, run_errand, and a restart that brings supervised jobs back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, callTask, getBlob, putBlob, taskValue } from "./support/agent-rpc.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";
import { digests, makeTarball } from "./support/tarball.js";

const IP = "127.0.20.5";
let agent: StartedAgent;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "agent-more-test-"));
  agent = await startAgent({ ip: IP, baseDir: join(work, "vm") });
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

async function applyJob(files: Record<string, string>, hash: string): Promise<void> {
  const archive = join(work, `${hash}.tgz`);
  const digest = await makeTarball(archive, files);
  await putBlob(agent, hash, archive);
  const spec = {
    networks: { default: { type: "manual", ip: IP } },
    job: { name: "ig", templates: [{ name: "slow", version: "1" }] },
    packages: {},
    rendered_templates_archive: { blobstore_id: hash, sha1: digest.sha1 },
    configuration_hash: hash,
  };
  expect(await taskValue(agent, "apply", [spec])).toBe("applied");
}

describe("more actions", () => {
  it("bundles job logs into a downloadable blob, honouring filters", async () => {
    await mkdir(join(agent.baseDir, "sys", "log", "web"), { recursive: true });
    await writeFile(join(agent.baseDir, "sys", "log", "web", "web.log"), "log line\n");
    await writeFile(join(agent.baseDir, "sys", "log", "web", "skip.txt"), "not a log\n");
    const result = (await taskValue(agent, "fetch_logs", ["job", ["**/*.log"]])) as { blobstore_id: string; sha1: string };
    const tarball = join(work, "logs.tgz");
    expect(await getBlob(agent, result.blobstore_id, tarball)).toBe(200);
    expect((await digests(tarball)).sha1).toBe(result.sha1);
    expect(execFileSync("tar", ["-tzf", tarball]).toString().split("\n").filter(Boolean)).toEqual(["web/web.log"]);
  });

  it("keeps upload_blob payloads that match their checksum, under a safe id only", async () => {
    const payload = Buffer.from("sensitive content");
    const sha1 = createHash("sha1").update(payload).digest("hex");
    expect(await taskValue(agent, "upload_blob", [{ blob_id: "sens-1", checksum: sha1, payload: payload.toString("base64") }])).toBe("sens-1");
    expect(await readFile(join(agent.baseDir, "data", "sensitive_blobs", "sens-1"), "utf8")).toBe("sensitive content");
    const bad = await callTask(agent, "upload_blob", [{ blob_id: "../escape", checksum: sha1, payload: payload.toString("base64") }]);
    expect(bad.exception?.message).toMatch(/Invalid blob id '\.\.\/escape'$/);
    const wrong = await callTask(agent, "upload_blob", [{ blob_id: "sens-2", checksum: "0".repeat(40), payload: payload.toString("base64") }]);
    expect(wrong.exception?.message).toContain("Expected stream to have digest");
    await expect(stat(join(agent.baseDir, "data", "sensitive_blobs", "sens-2"))).rejects.toThrow(/ENOENT/);
  });

  it("merges update_settings into bosh/update_settings.json", async () => {
    expect(await taskValue(agent, "update_settings", [{ trusted_certs: "PEM", disk_associations: [] }])).toBe("ok");
    expect(JSON.parse(await readFile(join(agent.baseDir, "bosh", "update_settings.json"), "utf8"))).toEqual({ trusted_certs: "PEM", disk_associations: [] });
  });

  it("answers list_disk as a task under protocol 3", async () => {
    const reply = await call(agent, "list_disk", [], { protocol: 3 });
    expect(reply.value).toMatchObject({ state: "running" });
  });

  it("cancels a long drain and runs errands", async () => {
    await applyJob({ "slow/monit": "", "slow/bin/drain": "#!/bin/bash\necho 600\n", "slow/bin/run": "#!/bin/bash\necho out; echo err >&2; exit 4\n" }, "slow-1");
    const started = await call(agent, "drain", ["shutdown", {}]);
    const id = (started.value as { agent_task_id: string }).agent_task_id;
    await new Promise((d) => setTimeout(d, 500));
    expect(await call(agent, "cancel_task", [id])).toEqual({ value: "canceled" });
    let reply = await call(agent, "get_task", [id]);
    for (let i = 0; i < 50 && (reply.value as { state?: string } | undefined)?.state === "running"; i += 1) {
      await new Promise((d) => setTimeout(d, 100));
      reply = await call(agent, "get_task", [id]);
    }
    expect(reply.exception?.message).toMatch(/^Action Failed get_task: Task .* result: /);
    expect(await taskValue(agent, "run_errand", [])).toEqual({ stdout: "out\n", stderr: "err\n", exit_code: 4 });
  });

  it("reports a process that never comes up as starting, then failing", async () => {
    const pidfile = `${agent.baseDir}/sys/run/slow/ghost.pid`;
    await applyJob({ "slow/monit": `check process ghost\n  with pidfile ${pidfile}\n  start program "/bin/true" with timeout 2 seconds\n  group vcap\n` }, "ghost-1");
    expect(await call(agent, "start")).toEqual({ value: "started" });
    const states: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && states.at(-1) !== "failing") {
      const value = (await call(agent, "get_state")).value as { job_state: string; processes: { name: string; state: string }[] };
      expect(value.processes.map((p) => p.name)).toEqual(["ghost"]);
      states.push(value.job_state);
      await new Promise((d) => setTimeout(d, 200));
    }
    expect(states[0]).toBe("starting");
    expect(states.at(-1)).toBe("failing");
    expect(await taskValue(agent, "stop")).toBe("stopped");
  });

  it("prepares packages and jobs without enabling them", async () => {
    const archive = join(work, "prep.tgz");
    const digest = await makeTarball(archive, { "prepped/monit": "", "prepped/bin/run": "#!/bin/bash\n" });
    await putBlob(agent, "prep-archive", archive);
    const spec = {
      job: { name: "ig", templates: [{ name: "prepped", version: "7" }] },
      rendered_templates_archive: { blobstore_id: "prep-archive", sha1: digest.sha1 },
      configuration_hash: "prep",
    };
    expect(await taskValue(agent, "prepare", [spec])).toBe("prepared");
    expect((await readdir(join(agent.baseDir, "data", "jobs", "prepped")))[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(await readdir(join(agent.baseDir, "jobs"))).not.toContain("prepped");
    await stat(join(agent.baseDir, "data", "blobs", "prep-archive"));
  });

  it("starts registered jobs again after an agent restart, but forgets tasks", async () => {
    const base = agent.baseDir;
    const pidfile = `${base}/sys/run/slow/slow.pid`;
    await applyJob(
      {
        "slow/monit": `check process slow\n  with pidfile ${pidfile}\n  start program "/bin/bash -c 'echo \\$\\$ > ${pidfile}; exec sleep 600'"\n  stop program "/bin/bash -c 'kill $(cat ${pidfile})'"\n  group vcap\n`,
      },
      "slow-2",
    );
    expect(await call(agent, "start")).toEqual({ value: "started" });
    const task = await call(agent, "stop", []);
    const taskId = (task.value as { agent_task_id: string }).agent_task_id;
    let stopped = await call(agent, "get_task", [taskId]);
    while ((stopped.value as { state?: string }).state === "running") stopped = await call(agent, "get_task", [taskId]);
    expect(stopped).toEqual({ value: "stopped" });
    expect(await call(agent, "start")).toEqual({ value: "started" });

    await agent.stop();
    agent = await startAgent({ ip: IP, baseDir: base, certificates: agent.certificates, password: agent.password });
    const deadline = Date.now() + 20_000;
    let state = "";
    while (Date.now() < deadline && state !== "running") {
      state = ((await call(agent, "get_state")).value as { job_state: string; processes?: unknown[] }).job_state;
      await new Promise((d) => setTimeout(d, 200));
    }
    expect(state).toBe("running");
    expect(((await call(agent, "get_state")).value as { processes?: { name: string }[] }).processes?.map((p) => p.name)).toEqual(["slow"]);
    expect(await call(agent, "get_task", [taskId])).toEqual({ exception: { message: `Action Failed get_task: Task with id ${taskId} could not be found` } });
  });
});
