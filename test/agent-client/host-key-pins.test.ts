/**
 * Host key pins against OpenSSH's sshd: the BOSH_ALL_PROXY jumpbox's key handed over for
 * recording on first use, then pinned (a different key refused; host-key= in the URL wins), and
 * the trust downgrades (a key trusted on first use, no CA) given to onWarning for the terminal.
 * IPs 127.0.110.30-31.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient } from "../../src/agent-client/index.js";
import { captureLogger } from "./support/capture-logger.js";
import { makeCa, makeLeaf, type TestCa } from "./support/certs.js";
import { startOpenSshServer, type OpenSshServer } from "./support/openssh-server.js";
import { startTestAgentServer, type TestAgentServer } from "./support/test-agent-server.js";

const SSH_HOST = "127.0.110.30";
const SSH_PORT = 2230;
const AGENT_HOST = "127.0.110.31";
const OTHER_KEY = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

let ca: TestCa;
let sshd: OpenSshServer;
let agent: TestAgentServer;

beforeAll(async () => {
  ca = makeCa();
  [sshd, agent] = await Promise.all([
    startOpenSshServer({ host: SSH_HOST, port: SSH_PORT }),
    startTestAgentServer({ host: AGENT_HOST, leaf: makeLeaf(ca, [AGENT_HOST]) }),
  ]);
});

afterAll(async () => {
  await agent?.stop();
  await sshd?.stop();
});

const allProxy = (): string => `ssh+socks5://${sshd.user}@${SSH_HOST}:${SSH_PORT}?private-key=${sshd.clientKeyPath}`;
const base = () => ({ mbusUrl: agent.url, caCert: ca.cert, directorId: "director-1", logger: captureLogger(), allProxy: allProxy() });

describe("the BOSH_ALL_PROXY jumpbox's host key", () => {
  it("is handed over on first use with a warning, then pinned: a different key is refused at once", async () => {
    // given no key on record: trusted on first use, with a warning, and handed over to be recorded
    const recorded: [string, string][] = [];
    const warnings: string[] = [];
    const first = createAgentClient({
      ...base(),
      onWarning: (m) => warnings.push(m),
      onJumpboxHostKey: async (hostPort, fingerprint) => void recorded.push([hostPort, fingerprint]),
    });
    await first.ping();
    await first.close();
    expect(recorded).toEqual([[`${SSH_HOST}:${SSH_PORT}`, sshd.hostKeyFingerprint]]);
    expect(warnings).toEqual([
      `BOSH_ALL_PROXY jumpbox ${sshd.user}@${SSH_HOST}:${SSH_PORT}: host key ${sshd.hostKeyFingerprint} is not pinned (trusting on first use)`,
    ]);

    // when the recorded key is the pin: no warning
    const quiet: string[] = [];
    const pinned = createAgentClient({ ...base(), jumpboxHostKeys: Object.fromEntries(recorded), onWarning: (m) => quiet.push(m) });
    await pinned.ping();
    await pinned.close();
    expect(quiet).toEqual([]);

    // when another key is on record: refused at once, naming both
    const wrong = createAgentClient({ ...base(), jumpboxHostKeys: { [`${SSH_HOST}:${SSH_PORT}`]: OTHER_KEY } });
    const started = Date.now();
    const refused = await wrong.waitUntilReady({ timeoutMs: 20_000, intervalMs: 100 }).then(() => undefined, (e: unknown) => e);
    await wrong.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(refused).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "ssh-host-key", message: expect.stringContaining("BOSH_ALL_PROXY jumpbox") });
    expect((refused as Error).message).toContain(`pinned ${OTHER_KEY}, server offered ${sshd.hostKeyFingerprint}`);
  });

  it("is pinned by host-key= in the URL, over the key on record", async () => {
    const onRecord = { [`${SSH_HOST}:${SSH_PORT}`]: sshd.hostKeyFingerprint };
    const byUrl = createAgentClient({ ...base(), allProxy: `${allProxy()}&host-key=${encodeURIComponent(OTHER_KEY)}`, jumpboxHostKeys: onRecord });
    await expect(byUrl.ping()).rejects.toMatchObject({ layer: "ssh-host-key" });
    await byUrl.close();
    // "+" left unescaped in the query string still means "+"
    const right = createAgentClient({ ...base(), allProxy: `${allProxy()}&host-key=${sshd.hostKeyFingerprint}` });
    await right.ping();
    await right.close();
  });
});

describe("trust downgrades", () => {
  it("a tunnel host key trusted on first use and a missing CA go to onWarning, for the terminal", async () => {
    const warnings: string[] = [];
    const logger = captureLogger();
    const client = createAgentClient({
      mbusUrl: agent.url,
      directorId: "director-1",
      logger,
      sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: sshd.user, privateKey: sshd.clientKey },
      onWarning: (m) => warnings.push(m),
    });
    await client.ping();
    await client.close();
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^No CA: the agent's certificate at https://${AGENT_HOST.replaceAll(".", "\\.")}:\\d+ is not verified`)),
      `SSH tunnel ${sshd.user}@${SSH_HOST}:${SSH_PORT}: host key ${sshd.hostKeyFingerprint} is not pinned (trusting on first use)`,
    ]);
  });
});
