// The agent client through an SSH tunnel and BOSH_ALL_PROXY, against OpenSSH's sshd.
import { createHash, randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient, type AgentClientOptions } from "../../src/agent-client/index.js";
import { makeCa, makeLeaf, type TestCa } from "./support/certs.js";
import { captureLogger } from "./support/capture-logger.js";
import { startOpenSshServer, type OpenSshServer } from "./support/openssh-server.js";
import { startTestAgentServer, type TestAgentServer } from "./support/test-agent-server.js";

const SSH_HOST = "127.0.50.30";
const SSH_PORT = 2230;
const AGENT_HOST = "127.0.50.31";
const SOCKS_HOST = "127.0.50.32";

let ca: TestCa;
let sshd: OpenSshServer;
let agent: TestAgentServer;
let work: string;

beforeAll(async () => {
  ca = makeCa();
  [sshd, agent] = await Promise.all([
    startOpenSshServer({ host: SSH_HOST, port: SSH_PORT }),
    startTestAgentServer({ host: AGENT_HOST, leaf: makeLeaf(ca, [AGENT_HOST]) }),
  ]);
  work = mkdtempSync(join(tmpdir(), "agent-client-tunnel-"));
});

afterAll(async () => {
  await agent?.stop();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

function tunnelOptions(extra: Partial<AgentClientOptions["sshTunnel"]> = {}, logger = captureLogger()): AgentClientOptions {
  return {
    mbusUrl: agent.url,
    caCert: ca.cert,
    directorId: "director-1",
    logger,
    taskPollIntervalMs: 10,
    sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: sshd.user, privateKey: sshd.clientKey, ...extra },
  };
}

describe("SSH tunnel", () => {
  it("reaches the agent through sshd with TLS verified for the mbus IP, and reports the unpinned host key", async () => {
    const logger = captureLogger();
    const client = createAgentClient(tunnelOptions({}, logger));
    await client.ping();
    const before = agent.connections();
    for (let i = 0; i < 10; i++) await client.ping();
    expect(agent.connections()).toBe(before); // keep-alive over the forwarded channel
    await client.close();
    expect(logger.lines.some((l) => l.startsWith("WARN") && l.includes(sshd.hostKeyFingerprint))).toBe(true);
  });

  it("accepts the pinned host key and refuses another at once", async () => {
    const pinned = createAgentClient(tunnelOptions({ hostKeyFingerprint: sshd.hostKeyFingerprint }));
    await pinned.ping();
    await pinned.close();
    const wrong = createAgentClient(tunnelOptions({ hostKeyFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }));
    const started = Date.now();
    await expect(wrong.waitUntilReady({ timeoutMs: 20_000, intervalMs: 100 })).rejects.toMatchObject({
      code: "AGENT_UNREACHABLE",
      layer: "ssh-host-key",
      message: expect.stringContaining(sshd.hostKeyFingerprint),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    await wrong.close();
  });

  it("streams blobs both ways through the tunnel", async () => {
    const client = createAgentClient(tunnelOptions({ hostKeyFingerprint: sshd.hostKeyFingerprint }));
    const data = randomBytes(8 * 1024 * 1024 + 5);
    const source = join(work, "up.bin");
    writeFileSync(source, data);
    const up = await client.uploadBlob(source);
    expect(up.sha256).toBe(createHash("sha256").update(data).digest("hex"));
    const down = await client.downloadBlob(up.blobId, join(work, "down.bin"));
    expect(down).toEqual({ sha1: up.sha1, sha256: up.sha256, size: data.length });
    expect(readFileSync(join(work, "down.bin")).equals(data)).toBe(true);
    await client.close();
  });

  it("reconnects after sshd's connection process is killed", async () => {
    const logger = captureLogger();
    const client = createAgentClient(tunnelOptions({}, logger));
    await client.ping();
    sshd.dropConnections();
    await sleep(200);
    await client.ping();
    agent.on("apply", { task: "applied", pollsBeforeDone: 2 });
    await client.apply({});
    await client.close();
    expect(logger.lines.filter((l) => l.includes("SSH tunnel: connected to")).length).toBe(2);
    expect(logger.lines.some((l) => l.includes("dropped"))).toBe(true);
  });

  it("notices a connection gone silent through keepalives and reconnects", async () => {
    const logger = captureLogger();
    const client = createAgentClient({ ...tunnelOptions({}, logger), sshKeepaliveIntervalMs: 200 });
    await client.ping();
    const frozen = sshd.freezeConnections();
    expect(frozen.length).toBeGreaterThan(0);
    try {
      await client.ping();
    } finally {
      for (const pid of frozen) process.kill(pid, "SIGKILL");
    }
    expect(logger.lines.filter((l) => l.includes("SSH tunnel: connected to")).length).toBe(2);
    await client.close();
  });

  it("keeps polling a task across an sshd restart", async () => {
    const client = createAgentClient({ ...tunnelOptions(), taskPollIntervalMs: 200 });
    await client.ping();
    agent.on("stop", { task: "stopped", pollsBeforeDone: 8 });
    const stopping = client.stop();
    await sleep(300);
    await sshd.restart();
    await expect(stopping).resolves.toBeUndefined();
    await client.close();
  });
});

describe("BOSH_ALL_PROXY", () => {
  it("ssh+socks5://user@host:port?private-key=PATH goes through the jumpbox", async () => {
    const logger = captureLogger();
    const client = createAgentClient({
      mbusUrl: agent.url,
      caCert: ca.cert,
      directorId: "director-1",
      logger,
      allProxy: `ssh+socks5://${sshd.user}@${SSH_HOST}:${SSH_PORT}?private-key=${sshd.clientKeyPath}`,
    });
    await client.ping();
    await client.close();
    expect(logger.lines.some((l) => l.includes("BOSH_ALL_PROXY jumpbox") && l.includes(sshd.hostKeyFingerprint))).toBe(true);
  });

  it("socks5://host:port uses a plain SOCKS5 proxy (OpenSSH's ssh -D)", async () => {
    const socks = await startSshSocksProxy(sshd, SOCKS_HOST, 1080);
    try {
      const client = createAgentClient({
        mbusUrl: agent.url, caCert: ca.cert, directorId: "director-1", logger: captureLogger(), allProxy: `socks5://${SOCKS_HOST}:1080`,
      });
      await client.ping();
      await client.close();
    } finally {
      socks.kill();
    }
  });

  it("an SSH tunnel is itself reached through the proxy", async () => {
    const client = createAgentClient({
      ...tunnelOptions(),
      allProxy: `ssh+socks5://${sshd.user}@${SSH_HOST}:${SSH_PORT}?private-key=${sshd.clientKeyPath}`,
    });
    await client.ping();
    await client.close();
  });
});

async function startSshSocksProxy(server: OpenSshServer, host: string, port: number): Promise<ChildProcess> {
  const child = spawn("ssh", ["-N", "-D", `${host}:${port}`, "-i", server.clientKeyPath, "-p", String(server.port),
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", `${server.user}@${server.host}`], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      import("node:net").then(({ connect }) => {
        const s = connect({ host, port });
        s.once("connect", () => (s.destroy(), resolve(true)));
        s.once("error", () => resolve(false));
      });
    });
    if (up) return child;
    await sleep(50);
  }
  child.kill();
  throw new Error("ssh -D did not start");
}
