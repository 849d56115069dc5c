/**
 * The agent client for the current VM, with what the state file knows pinned: the VM's SSH host
 * key (from the CPI, or trusted on first use by an earlier run) and the keys of BOSH_ALL_PROXY
 * jumpboxes seen before, a jumpbox's key being recorded as soon as a connection to it is up.
 * Trust downgrades (a key trusted on first use, no CA) go to `warn`, i.e. the user's terminal.
 */
import { createAgentClient, type AgentClientOptions } from "../agent-client/index.js";
import type { Logger } from "../common/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import type { AgentPort, StatePort } from "./ports.js";

export interface AgentConnectionInput {
  manifest: BootstrapManifest;
  state: StatePort;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  signal: AbortSignal;
  warn: (message: string) => void;
}

export function connectAgent(input: AgentConnectionInput): AgentPort {
  return createAgentClient(agentClientOptions(input));
}

export function agentClientOptions({ manifest, state, env, logger, signal, warn }: AgentConnectionInput): AgentClientOptions {
  const proxy = env["BOSH_ALL_PROXY"];
  const tunnel = manifest.cloudProvider.sshTunnel;
  const pinned = state.state.current_vm_ssh_host_key;
  const jumpboxes = state.state.jumpbox_ssh_host_keys;
  return {
    mbusUrl: manifest.cloudProvider.mbus,
    ...(manifest.cloudProvider.cert !== undefined ? { caCert: manifest.cloudProvider.cert.ca } : {}),
    ...(tunnel !== undefined ? { sshTunnel: pinned === undefined ? tunnel : { ...tunnel, hostKeyFingerprint: pinned } } : {}),
    ...(proxy !== undefined && proxy !== "" ? { allProxy: proxy } : {}),
    ...(jumpboxes !== undefined ? { jumpboxHostKeys: jumpboxes } : {}),
    onJumpboxHostKey: async (hostPort, fingerprint) => {
      if (state.state.jumpbox_ssh_host_keys?.[hostPort] === fingerprint) return;
      await state.update((s) => {
        s.jumpbox_ssh_host_keys = { ...s.jumpbox_ssh_host_keys, [hostPort]: fingerprint };
      });
    },
    onWarning: warn,
    directorId: state.state.director_id,
    logger,
    signal,
  };
}
