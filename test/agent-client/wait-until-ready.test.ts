// waitUntilReady names the layer that failed, each against a real peer that fails that way.
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient, type AgentClientOptions } from "../../src/agent-client/index.js";
import { makeCa, makeLeaf, type TestCa } from "./support/certs.js";
import { captureLogger } from "./support/capture-logger.js";
import { startOpenSshServer, type OpenSshServer } from "./support/openssh-server.js";
import { startTestAgentServer, type TestAgentServer } from "./support/test-agent-server.js";

const AGENT_HOST = "127.0.50.20";
const WRONG_NAME_HOST = "127.0.50.21";
const NOTHING_HOST = "127.0.50.22";
const FULL_BACKLOG_HOST = "127.0.50.23";
const SSH_HOST = "127.0.50.24";
const SSH_PORT = 2224;

let ca: TestCa;
let agent: TestAgentServer;
let wrongName: TestAgentServer;
let sshd: OpenSshServer;

beforeAll(async () => {
  ca = makeCa();
  [agent, wrongName, sshd] = await Promise.all([
    startTestAgentServer({ host: AGENT_HOST, leaf: makeLeaf(ca, [AGENT_HOST]) }),
    startTestAgentServer({ host: WRONG_NAME_HOST, leaf: makeLeaf(ca, ["127.0.50.99"]) }),
    startOpenSshServer({ host: SSH_HOST, port: SSH_PORT }),
  ]);
});

afterAll(async () => {
  await agent?.stop();
  await wrongName?.stop();
  await sshd?.stop();
});

function options(over: Partial<AgentClientOptions> = {}): AgentClientOptions {
  return { mbusUrl: agent.url, caCert: ca.cert, directorId: "d", logger: captureLogger(), ...over };
}

async function failure(opts: AgentClientOptions, timeoutMs = 1_500): Promise<{ error: Record<string, unknown>; ms: number }> {
  const client = createAgentClient(opts);
  const started = Date.now();
  try {
    await client.waitUntilReady({ timeoutMs, intervalMs: 100 });
  } catch (error) {
    return { error: error as Record<string, unknown>, ms: Date.now() - started };
  } finally {
    await client.close();
  }
  throw new Error("waitUntilReady succeeded");
}

describe("waitUntilReady", () => {
  it("returns once the agent answers ping", async () => {
    const client = createAgentClient(options());
    await expect(client.waitUntilReady({ timeoutMs: 5_000 })).resolves.toBeUndefined();
    await client.close();
  });

  it("waits for an agent that starts listening late", async () => {
    const late = { host: "127.0.50.25", port: 6868 };
    const client = createAgentClient(options({ mbusUrl: `https://mbus:late-password@${late.host}:${late.port}` }));
    const waiting = client.waitUntilReady({ timeoutMs: 15_000, intervalMs: 100 });
    await sleep(700);
    const server = await startTestAgentServer({ ...late, leaf: makeLeaf(ca, [late.host]), password: "late-password" });
    await expect(waiting).resolves.toBeUndefined();
    await client.close();
    await server.stop();
  });

  it("TCP refused", async () => {
    const { error, ms } = await failure(options({ mbusUrl: `https://mbus:pw@${NOTHING_HOST}:6868` }));
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "tcp-refused", message: expect.stringContaining("TCP connection refused") });
    expect(String(error["message"])).toContain("gave up after");
    expect(error["hint"]).toEqual(expect.stringContaining("mbus port"));
    expect(ms).toBeGreaterThanOrEqual(1_000);
  });

  it("TCP timed out", async () => {
    const filler = await fillBacklog(FULL_BACKLOG_HOST, 6868);
    try {
      const { error } = await failure(options({ mbusUrl: `https://mbus:pw@${FULL_BACKLOG_HOST}:6868`, connectTimeoutMs: 300 }));
      expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "tcp-timeout", message: expect.stringContaining("timed out") });
    } finally {
      filler.stop();
    }
  });

  it("TLS unknown CA fails at once", async () => {
    const { error } = await failure(options({ caCert: makeCa("other-ca").cert }), 20_000);
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "tls-unknown-ca", message: expect.stringContaining("not signed by cloud_provider.cert.ca") });
    expect(String(error["message"])).toContain("not retried");
  });

  it("TLS name mismatch fails at once", async () => {
    const { error } = await failure(options({ mbusUrl: wrongName.url }), 20_000);
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "tls-name-mismatch", message: expect.stringContaining(WRONG_NAME_HOST) });
    expect(String(error["message"])).toContain("not retried");
  });

  it("HTTP 401 fails at once and does not show the password", async () => {
    const { error } = await failure(options({ mbusUrl: `https://mbus:wrong-password-123@${AGENT_HOST}:${agent.port}` }), 20_000);
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "http-401", message: expect.stringContaining("401") });
    expect(String(error["message"])).toContain("not retried");
    expect(JSON.stringify([error["message"], error["hint"]])).not.toContain("wrong-password-123");
  });

  it("no answer", async () => {
    const silent = await startTestAgentServer({ host: AGENT_HOST, leaf: makeLeaf(ca, [AGENT_HOST]) });
    silent.on("ping", { hang: true });
    try {
      const { error } = await failure(options({ mbusUrl: silent.url }));
      expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "no-answer", message: expect.stringContaining("no HTTP answer") });
    } finally {
      await silent.stop();
    }
  });

  it("SSH auth", async () => {
    const { error } = await failure(
      options({ sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: sshd.user, privateKey: sshd.strangerKey } }),
    );
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "ssh-auth", message: expect.stringContaining("SSH authentication failed") });
    expect(error["hint"]).toEqual(expect.stringContaining("private_key"));
    expect(String(error["message"])).not.toContain("PRIVATE KEY");
  });

  it("SSH connect", async () => {
    const { error } = await failure(options({ sshTunnel: { host: SSH_HOST, port: SSH_PORT + 1, user: "root", privateKey: sshd.clientKey } }));
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "ssh-connect", message: expect.stringContaining(`${SSH_HOST}:${SSH_PORT + 1}`) });
  });

  it("TCP refused behind the tunnel", async () => {
    const { error } = await failure(
      options({ mbusUrl: `https://mbus:pw@${NOTHING_HOST}:6868`, sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: "root", privateKey: sshd.clientKey } }),
    );
    expect(error).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "tcp-refused", message: expect.stringContaining("SSH tunnel could not open") });
  });
});

/** A listener that never accepts, its one-slot queue filled, so further SYNs go unanswered. */
async function fillBacklog(host: string, port: number): Promise<{ stop(): void }> {
  const script = `import socket,time\ns=socket.socket()\ns.bind((${JSON.stringify(host)},${port}))\ns.listen(0)\nprint('ready',flush=True)\ntime.sleep(120)`;
  const child: ChildProcess = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => child.stdout?.once("data", resolve));
  const sockets: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = connect({ host, port });
    s.on("error", () => undefined);
    sockets.push(s);
    await sleep(50);
  }
  return {
    stop: () => {
      for (const s of sockets) s.destroy();
      child.kill();
    },
  };
}
