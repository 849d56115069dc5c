// The agent client against our real local agent (src/local/agent) as a process: directly over
// HTTPS and through an SSH tunnel run by OpenSSH's sshd.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient, type AgentClient, type AgentClientOptions } from "../../src/agent-client/index.js";
import { startAgent, type StartedAgent } from "../local/agent/support/start-agent.js";
import { makeTarball } from "../local/agent/support/tarball.js";
import { captureLogger } from "./support/capture-logger.js";
import { startOpenSshServer, type OpenSshServer } from "./support/openssh-server.js";

const AGENT_IP = "127.0.50.50";
const SSH_IP = "127.0.50.51";
const SSH_PORT = 2251;

let agent: StartedAgent;
let sshd: OpenSshServer;
let work: string;

beforeAll(async () => {
  [agent, sshd] = await Promise.all([startAgent({ ip: AGENT_IP }), startOpenSshServer({ host: SSH_IP, port: SSH_PORT })]);
  work = await mkdtemp(join(tmpdir(), "agent-client-local-agent-"));
});

afterAll(async () => {
  await agent?.stop();
  await sshd?.stop();
  await rm(work, { recursive: true, force: true });
});

const network = { type: "manual", ip: AGENT_IP, netmask: "255.0.0.0", gateway: "127.0.0.1", default: ["dns", "gateway"], dns: [], cloud_properties: {} };

function clientOptions(tunnel: boolean): AgentClientOptions {
  return {
    mbusUrl: agent.url,
    caCert: agent.caCert,
    directorId: "director-local",
    logger: captureLogger(),
    taskPollIntervalMs: 50,
    ...(tunnel
      ? { sshTunnel: { host: SSH_IP, port: SSH_PORT, user: sshd.user, privateKey: sshd.clientKey, hostKeyFingerprint: sshd.hostKeyFingerprint } }
      : {}),
  };
}

describe.each([
  ["directly", false],
  ["through the SSH tunnel", true],
] as const)("against the local agent %s", (_how, tunnel) => {
  let client: AgentClient;

  beforeAll(() => {
    client = createAgentClient(clientOptions(tunnel));
  });
  afterAll(async () => {
    await client.close();
  });

  it("waits until ready, applies an initial spec and reads it back", async () => {
    await client.waitUntilReady({ timeoutMs: 10_000 });
    await client.apply({ deployment: "bosh", name: "bosh", index: 0, id: "instance-1", networks: { default: network } });
    const state = await client.getState();
    expect(state.networks?.["default"]?.ip).toBe(AGENT_IP);
    expect(state["deployment"]).toBe("bosh");
  });

  it("uploads a package, compiles it on the agent and downloads the result", async () => {
    const source = join(work, `pkg-${tunnel}.tgz`);
    await makeTarball(source, { packaging: 'set -e\necho "built $BOSH_PACKAGE_NAME" > "$BOSH_INSTALL_TARGET/out.txt"\n' });
    const up = await client.uploadBlob(source);
    const compiled = await client.compilePackage({ blobstoreId: up.blobId, sha1: `sha256:${up.sha256}`, name: "pkg", version: "1", deps: {} });
    const dest = join(work, `compiled-${tunnel}.tgz`);
    const down = await client.downloadBlob(compiled.blobstoreId, dest);
    expect(down.sha1).toBe(compiled.sha1);
    const out = join(work, `out-${tunnel}`);
    await mkdir(out);
    execFileSync("tar", ["-xzf", dest, "-C", out]);
    expect(await readFile(join(out, "out.txt"), "utf8")).toBe("built pkg\n");
  });

  it("carries the agent's message when a packaging script fails", async () => {
    const source = join(work, `broken-${tunnel}.tgz`);
    await makeTarball(source, { packaging: "echo about to fail\nexit 3\n" });
    const up = await client.uploadBlob(source);
    await expect(client.compilePackage({ blobstoreId: up.blobId, sha1: up.sha1, name: "broken", version: "1", deps: {} })).rejects.toMatchObject({
      code: "AGENT_TASK_FAILED",
      message: expect.stringMatching(/Command exited with 3; Stdout: about to fail/),
    });
  });

  it("runs scripts, starts, lists disks and stops", async () => {
    await client.runScript("pre-start");
    await client.start();
    expect((await client.getState()).job_state).toBe("running");
    await expect(client.listDisk()).resolves.toEqual([]);
    await client.stop();
    expect((await client.getState()).job_state).toBe("stopped");
  });

  it("fetches logs as a blob", async () => {
    const logs = await client.fetchLogs("agent", []);
    const dest = join(work, `logs-${tunnel}.tgz`);
    expect((await client.downloadBlob(logs.blobstoreId, dest)).sha1).toBe(logs.sha1);
  });

  it("reports wrong mbus credentials as HTTP 401", async () => {
    const wrong = createAgentClient({ ...clientOptions(tunnel), mbusUrl: `https://mbus:not-the-password@${AGENT_IP}:6868` });
    await expect(wrong.waitUntilReady({ timeoutMs: 10_000 })).rejects.toMatchObject({ code: "AGENT_UNREACHABLE", layer: "http-401" });
    await wrong.close();
  });
});
