// apply → pre-start → start → supervision → drain → stop against a real agent, with a rendered
// templates archive and a compiled package built here as the bootstrapper would upload them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lstat, mkdtemp, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, callTask, putBlob, taskValue } from "./support/agent-rpc.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";
import { makeTarball } from "./support/tarball.js";

const IP = "127.0.20.3";
let agent: StartedAgent;
let work: string;

beforeAll(async () => {
  agent = await startAgent({ ip: IP });
  work = await mkdtemp(join(tmpdir(), "agent-jobs-test-"));
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

function renderedJobs(base: string): Record<string, string> {
  const pidfile = `${base}/sys/run/web/web.pid`;
  return {
    "web/monit": [
      "check process web",
      `  with pidfile ${pidfile}`,
      `  start program "${base}/jobs/web/bin/ctl start" with timeout 10 seconds`,
      `  stop program "${base}/jobs/web/bin/ctl stop"`,
      "  group vcap",
      "",
    ].join("\n"),
    "web/bin/ctl": [
      "#!/bin/bash",
      "case $1 in",
      `  start) cat ${base}/jobs/web/packages/greeting/greeting.txt >> ${base}/sys/log/web/web.log`,
      `         nohup bash -c 'echo $$ > ${pidfile}; exec sleep 600' >/dev/null 2>&1 & ;;`,
      `  stop) kill $(cat ${pidfile}); rm -f ${pidfile} ;;`,
      "esac",
      "",
    ].join("\n"),
    "web/bin/pre-start": `#!/bin/bash\necho "pre-start of web with $GREETING_ENV"\ntouch ${base}/data/web/pre-started\n`,
    "web/bin/post-start": "#!/bin/bash\necho fine\n",
    "web/bin/drain": [
      "#!/bin/bash",
      `echo "$@" >> ${base}/data/web/drain.calls`,
      `echo "$BOSH_JOB_STATE" > ${base}/data/web/drain.state`,
      'if [ "$1" = job_check_status ]; then echo 0; else echo -1; fi',
      "",
    ].join("\n"),
    "web/config/web.conf": "port=1234\n",
    "worker/monit": "",
    "worker/bin/post-start": "#!/bin/bash\necho failing on purpose >&2\nexit 7\n",
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((d) => setTimeout(d, 200));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const network = { type: "manual", ip: IP, netmask: "255.0.0.0", gateway: "127.0.0.1", default: ["dns", "gateway"], dns: [], cloud_properties: {} };

describe("jobs lifecycle", () => {
  it("stores an initial spec without installing and rejects networks unknown to the settings", async () => {
    expect(await taskValue(agent, "apply", [{ deployment: "d", name: "ig", index: 0, id: "i-1", networks: { default: network } }])).toBe("applied");
    const state = (await call(agent, "get_state")).value as { networks: Record<string, { ip: string }>; deployment: string };
    expect(state.networks.default?.ip).toBe(IP);
    expect(state.deployment).toBe("d");
    expect(await readFile(join(agent.baseDir, "instance", "id"), "utf8")).toBe("i-1");
    const bad = await callTask(agent, "apply", [{ networks: { nope: network } }]);
    expect(bad.exception?.message).toMatch(/result: Resolving dynamic networks: Network 'nope' is not found in settings$/);
  });

  it("installs, starts, supervises, drains and stops jobs", async () => {
    const base = agent.baseDir;
    // given: a compiled package and a rendered templates archive in the blob store
    const pkg = join(work, "greeting.tgz");
    const pkgDigest = await makeTarball(pkg, { "greeting.txt": "hello from the package\n" });
    await putBlob(agent, "pkg-greeting", pkg);
    const archive = join(work, "rendered.tgz");
    const archiveDigest = await makeTarball(archive, renderedJobs(base));
    await putBlob(agent, "rendered-1", archive);
    const spec = {
      deployment: "d", name: "ig", index: 0, id: "i-1", az: "z1",
      networks: { default: network },
      job: { name: "ig", templates: [{ name: "web", version: "v-web" }, { name: "worker", version: "v-worker" }] },
      packages: { greeting: { name: "greeting", version: "p1", sha1: pkgDigest.sha1, blobstore_id: "pkg-greeting" } },
      rendered_templates_archive: { blobstore_id: "rendered-1", sha1: `sha256:${archiveDigest.sha256}` },
      configuration_hash: "hash-1",
      properties: { logging: { max_log_file_size: "10M" }, secret: "dropped" },
    };

    // when: applied
    expect(await taskValue(agent, "apply", [spec])).toBe("applied");

    // then: jobs and packages are installed and linked as the real agent lays them out
    expect(await readlink(join(base, "jobs", "web"))).toMatch(new RegExp(`${base}/data/jobs/web/[0-9a-f]{40}$`));
    expect(await readlink(join(base, "packages", "greeting"))).toMatch(new RegExp(`${base}/data/packages/greeting/[0-9a-f]{40}$`));
    expect(await readFile(join(base, "jobs", "web", "packages", "greeting", "greeting.txt"), "utf8")).toBe("hello from the package\n");
    expect((await stat(join(base, "jobs", "web", "bin", "ctl"))).mode & 0o777).toBe(0o750);
    expect((await stat(join(base, "jobs", "web", "config", "web.conf"))).mode & 0o777).toBe(0o640);
    for (const dir of ["data/sys/log/web", "data/sys/run/web", "data/web"]) expect((await stat(join(base, dir))).mode & 0o777).toBe(0o770);
    await expect(lstat(join(base, "data", "blobs", "rendered-1"))).rejects.toThrow(/ENOENT/);
    const stored = (await call(agent, "get_state")).value as Record<string, unknown>;
    expect(stored.properties).toEqual({ logging: { max_log_file_size: "10M" } });
    expect(stored.job_state).toBe("running");

    // pre-start runs with the given env and logs under sys/log/<job>/
    expect(await taskValue(agent, "run_script", ["pre-start", { env: { GREETING_ENV: "env-value" } }])).toEqual({});
    expect(await readFile(join(base, "sys", "log", "web", "pre-start.stdout.log"), "utf8")).toBe("pre-start of web with env-value\n");
    await stat(join(base, "data", "web", "pre-started"));

    // start registers the monit file and the process runs
    expect(await call(agent, "start")).toEqual({ value: "started" });
    const pidfile = join(base, "sys", "run", "web", "web.pid");
    const firstPid = await waitFor("web to run", async () => {
      const state = (await call(agent, "get_state")).value as { job_state: string; processes?: { name: string; state: string }[] };
      if (state.job_state !== "running" || state.processes?.[0]?.state !== "running") return undefined;
      return Number((await readFile(pidfile, "utf8")).trim());
    });
    expect(await readFile(join(base, "sys", "log", "web", "web.log"), "utf8")).toContain("hello from the package");

    // a killed process is restarted
    process.kill(firstPid, "SIGKILL");
    const secondPid = await waitFor("web to be restarted", async () => {
      const pid = Number((await readFile(pidfile, "utf8").catch(() => "0")).trim());
      return pid !== firstPid && pid > 0 && alive(pid) ? pid : undefined;
    });
    await waitFor("job_state running again", async () => ((await call(agent, "get_state")).value as { job_state: string }).job_state === "running" || undefined);

    // post-start: one job fails, the message names both
    const post = await callTask(agent, "run_script", ["post-start", {}]);
    expect(post.exception?.message).toMatch(/result: 1 of 2 post-start scripts failed\. Failed Jobs: worker\. Successful Jobs: web\.$/);
    expect(await readFile(join(base, "sys", "log", "worker", "post-start.stderr.log"), "utf8")).toBe("failing on purpose\n");

    // drain: negative answer → asked again with job_check_status
    expect(await taskValue(agent, "drain", ["shutdown", {}])).toBe(0);
    expect(await readFile(join(base, "data", "web", "drain.calls"), "utf8")).toBe("job_shutdown hash_unchanged\njob_check_status hash_unchanged\n");
    expect(JSON.parse(await readFile(join(base, "data", "web", "drain.state"), "utf8"))).toEqual({ persistent_disk: 0 });
    const status = await callTask(agent, "drain", ["status"]);
    expect(status.exception?.message).toMatch(/result: Unexpected call with drain type 'status'$/);

    // stop runs the stop program and job_state stays stopped
    expect(await taskValue(agent, "stop")).toBe("stopped");
    expect(((await call(agent, "get_state")).value as { job_state: string }).job_state).toBe("stopped");
    await waitFor("web to exit", async () => (alive(secondPid) ? undefined : true));
    await new Promise((d) => setTimeout(d, 2500));
    expect(await readFile(pidfile, "utf8").catch(() => "gone")).toBe("gone");
  });
});

describe("a job that dies right after starting", () => {
  const FLAKY_IP = "127.0.20.7";
  let flaky: StartedAgent;
  afterAll(async () => {
    await flaky?.stop();
  });

  it("is never reported running, however often get_state is polled", async () => {
    flaky = await startAgent({ ip: FLAKY_IP });
    const base = flaky.baseDir;
    const pidfile = `${base}/sys/run/crash/crash.pid`;
    const archive = join(work, "crash.tgz");
    const digest = await makeTarball(archive, {
      "crash/monit": `check process crash\n  with pidfile ${pidfile}\n  start program "${base}/jobs/crash/bin/ctl"\n  group vcap\n`,
      // The process lives a few milliseconds: exactly the window a poll could otherwise hit.
      "crash/bin/ctl": `#!/bin/bash\nmkdir -p ${base}/sys/run/crash\nnohup bash -c 'echo $$ > ${pidfile}; sleep 0.01' >/dev/null 2>&1 &\n`,
    });
    await putBlob(flaky, "rendered-crash", archive);
    const spec = {
      deployment: "d", name: "ig", index: 0, id: "i-1", az: "z1",
      networks: { default: { ...network, ip: FLAKY_IP } },
      job: { name: "ig", templates: [{ name: "crash", version: "v1" }] },
      packages: {},
      rendered_templates_archive: { blobstore_id: "rendered-crash", sha1: `sha256:${digest.sha256}` },
      configuration_hash: "hash-crash",
    };
    expect(await taskValue(flaky, "apply", [spec])).toBe("applied");
    expect(await call(flaky, "start")).toEqual({ value: "started" });
    const seen = new Set<string>();
    const deadline = Date.now() + 4_000;
    while (Date.now() < deadline) {
      seen.add(((await call(flaky, "get_state")).value as { job_state: string }).job_state);
      await new Promise((d) => setTimeout(d, 20));
    }
    expect(seen.has("running")).toBe(false);
    expect(seen.has("failing") || seen.has("starting")).toBe(true);
  });
});
