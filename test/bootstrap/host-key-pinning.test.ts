/**
 * Which SSH host keys are pinned, and when: the trust decision itself, the VM's key taken from
 * the CPI before the first connection (createVm), and the state's pins handed to the agent
 * client with the jumpbox's key recorded on first use (connect-agent). Pure code and fakes.
 */
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { publicKeyFingerprint } from "../../src/agent-client/index.js";
import { judgeHostKey } from "../../src/agent-client/host-key.js";
import { agentClientOptions } from "../../src/bootstrap/connect-agent.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import type { StageContext, StateShape } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { createVm } from "../../src/bootstrap/vm-steps.js";
import { silentLogger } from "../../src/common/index.js";
import type { BootstrapManifest } from "../../src/manifest/index.js";
import { emptyState, FakeAgent, FakeCpi, FakeState } from "./fakes.js";

const publicKey = (): string => ssh2.utils.generateKeyPairSync("ed25519").public;

describe("judgeHostKey", () => {
  const seen = publicKeyFingerprint(publicKey());

  it("accepts the pinned key, refuses any other, and trusts on first use only without a pin", () => {
    expect(judgeHostKey(seen, seen)).toBe("match");
    expect(judgeHostKey(seen.replace(/^SHA256:/, ""), seen)).toBe("match");
    expect(judgeHostKey(publicKeyFingerprint(publicKey()), seen)).toBe("mismatch");
    expect(judgeHostKey(undefined, seen)).toBe("first-use");
  });
});

describe("createVm pins the VM's SSH host key", () => {
  function harness(initial: StateShape = emptyState()) {
    const state = new FakeState(initial);
    const cpi = new FakeCpi();
    const agent = new FakeAgent();
    const events: BootstrapEvent[] = [];
    const pinnedAtConnect: (string | undefined)[] = [];
    const ctx: StageContext = {
      reporter: new Reporter({ emit: (e) => events.push(e) }),
      logger: silentLogger,
      signal: new AbortController().signal,
      state,
      cpi,
      connectAgent: () => {
        pinnedAtConnect.push(state.state.current_vm_ssh_host_key);
        return agent;
      },
    };
    return { state, cpi, agent, ctx, pinnedAtConnect };
  }
  const input = {
    identity: { deployment: "d", instanceGroup: "bosh", networks: { default: { type: "manual", ip: "127.0.110.9" } } },
    stemcellCid: "sc-1",
    stemcellRecordId: "stemcell-1",
    cloudProperties: {},
    env: {},
    tags: {},
    agentTimeoutMs: 1000,
  };

  it("from the CPI, in the state before the first connection, so that connection already checks it", async () => {
    // given a CPI that knows the key of the VM it makes
    const h = harness();
    const key = publicKey();
    h.cpi.hostKey = key;
    h.agent.hostKey = publicKeyFingerprint(key); // the tunnel connected with that pin
    // when
    await createVm(h.ctx, input);
    // then
    expect(h.pinnedAtConnect).toEqual([publicKeyFingerprint(key)]);
    expect(h.state.state.current_vm_ssh_host_key).toBe(publicKeyFingerprint(key));
  });

  it("without a key from the CPI: the first connection trusts what it sees, and that key is pinned after", async () => {
    const h = harness();
    h.agent.hostKey = "SHA256:trusted-on-first-use";
    await createVm(h.ctx, input);
    expect(h.pinnedAtConnect).toEqual([undefined]);
    expect(h.state.state.current_vm_ssh_host_key).toBe("SHA256:trusted-on-first-use");
  });

  it("never carries an earlier VM's pin over to a new VM", async () => {
    const h = harness({ ...emptyState(), current_vm_ssh_host_key: "SHA256:of-the-vm-before" });
    await createVm(h.ctx, input);
    expect(h.pinnedAtConnect).toEqual([undefined]);
  });
});

describe("agentClientOptions: the state's pins for the agent client", () => {
  const manifest = {
    cloudProvider: {
      templates: [],
      mbus: "https://mbus:pw@127.0.110.10:6868",
      properties: {},
      sshTunnel: { host: "127.0.110.10", port: 22, user: "vcap", privateKey: "KEY" },
    },
  } as unknown as BootstrapManifest;
  const base = (state: FakeState, warnings: string[] = []) => ({
    manifest,
    state,
    env: { BOSH_ALL_PROXY: "ssh+socks5://jumpbox@127.0.110.1:22?private-key=/k" },
    logger: silentLogger,
    signal: new AbortController().signal,
    warn: (m: string) => warnings.push(m),
  });

  it("pins the VM's key from the state, and has no CA warning to give when the manifest has a CA", () => {
    const state = new FakeState({ ...emptyState(), current_vm_ssh_host_key: "SHA256:vm" });
    const options = agentClientOptions(base(state));
    expect(options.sshTunnel?.hostKeyFingerprint).toBe("SHA256:vm");
    expect(options.caCert).toBeUndefined();
  });

  it("records a jumpbox's key on first use, pins it on the next connection, and a different key is then refused", async () => {
    // given no jumpbox seen before
    const state = new FakeState(emptyState());
    const first = agentClientOptions(base(state));
    expect(first.jumpboxHostKeys).toBeUndefined();
    // when the first connection reports the key it trusted
    await first.onJumpboxHostKey?.("127.0.110.1:22", "SHA256:jumpbox");
    // then the state holds it, and the next client is pinned to it
    expect(state.state.jumpbox_ssh_host_keys).toEqual({ "127.0.110.1:22": "SHA256:jumpbox" });
    const next = agentClientOptions(base(state));
    const pin = next.jumpboxHostKeys?.["127.0.110.1:22"];
    expect(pin).toBe("SHA256:jumpbox");
    expect(judgeHostKey(pin, "SHA256:another")).toBe("mismatch");
    // and an unchanged key writes nothing
    const writes = state.writes.length;
    await next.onJumpboxHostKey?.("127.0.110.1:22", "SHA256:jumpbox");
    expect(state.writes.length).toBe(writes);
  });

  it("sends trust warnings to the caller's warn (the terminal), not only to the log", () => {
    const warnings: string[] = [];
    const options = agentClientOptions(base(new FakeState(emptyState()), warnings));
    options.onWarning?.("No CA: the agent's certificate is not verified");
    expect(warnings).toEqual(["No CA: the agent's certificate is not verified"]);
  });
});
