/**
 * VM lifecycle steps in bosh-cli's order. Every CPI call that creates or deletes something has
 * its outcome written to the state before the CPI journal lets go of it, so a crash at any point
 * leaves a true record (or a journal entry the next run adopts).
 */
import { randomUUID } from "node:crypto";
import { publicKeyFingerprint } from "../agent-client/index.js";
import { BootstrapError, messageOf } from "../common/index.js";
import { isCpiNotFound as isNotFound, isCpiNotImplemented as isNotImplemented } from "../cpi-runner/index.js";
import { stopJobs, waitForAgent } from "./job-lifecycle.js";
import type { AgentPort, StageContext } from "./ports.js";
import { Skipped } from "./reporter.js";
import { vmEnv, vmMetadata, type InstanceIdentity } from "./instance-spec.js";
import { forgetVmFacts } from "./vm-facts.js";

/** How long to try the old VM's agent before giving up on a clean shutdown (bosh-cli: 10 s). */
const SHUTDOWN_AGENT_TIMEOUT_MS = 10_000;

export interface ShutdownOptions {
  skipDrain: boolean;
  /** Name shown in step titles; bosh-cli shows 'unknown/0' as it does not record the job. */
  instanceName: string;
}

export async function deleteVm(ctx: StageContext, cid: string, options: ShutdownOptions): Promise<void> {
  const { reporter } = ctx;
  const exists = await ctx.cpi.hasVm(cid).catch((error: unknown) => {
    ctx.logger.warn(`has_vm '${cid}' failed, deleting it anyway: ${messageOf(error)}`);
    return true;
  });
  if (exists) await shutdownVm(ctx, cid, options);

  await reporter.step(`Deleting VM '${cid}'`, async () => {
    try {
      await ctx.cpi.deleteVm(cid, { record: () => forgetVm(ctx) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await forgetVm(ctx);
      return new Skipped("VM not found");
    }
    return undefined;
  });
}

/**
 * A VM an interrupted run made while another VM was current: not in the state, and never shut
 * down through the agent, since the agent at the mbus address is the current VM's.
 */
export async function deleteOrphanVm(ctx: StageContext, cid: string): Promise<void> {
  await ctx.reporter.step(`Deleting VM '${cid}'`, async () => {
    try {
      await ctx.cpi.deleteVm(cid, { record: async () => ctx.forgetOrphanVm?.(cid) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await ctx.forgetOrphanVm?.(cid);
      return new Skipped("VM not found");
    }
    return undefined;
  });
}

async function forgetVm(ctx: StageContext): Promise<void> {
  await ctx.state.update((s) => {
    s.current_vm_cid = "";
    s.current_stemcell_id = "";
    forgetVmFacts(s);
  });
}

/**
 * The current VM stays: a client for its agent once it answers. An agent that does not answer
 * leaves nothing to update in place; replacing the VM is the way on.
 */
export async function keepVm(ctx: StageContext, cid: string, timeoutMs: number): Promise<AgentPort> {
  const agent = ctx.connectAgent();
  try {
    await waitForAgent(ctx.reporter, agent, cid, timeoutMs);
    return agent;
  } catch (error) {
    await agent.close();
    if (!(error instanceof BootstrapError) || error.code !== "AGENT_UNREACHABLE") throw error;
    throw new BootstrapError(error.code, error.message, {
      details: error.details,
      cause: error,
      hint: `${error.hint ?? "Check that the VM is running."} To replace the VM instead of updating it in place, run deploy again with --recreate.`,
    });
  }
}

/** Stops the jobs of a VM about to go; an agent that does not answer is reported, not fatal. */
async function shutdownVm(ctx: StageContext, cid: string, options: ShutdownOptions): Promise<void> {
  const { reporter } = ctx;
  const agent = ctx.connectAgent();
  try {
    const ready = await reporter.step(`Waiting for the agent on VM '${cid}'`, async () => {
      try {
        await agent.waitUntilReady({ timeoutMs: SHUTDOWN_AGENT_TIMEOUT_MS, intervalMs: 500 });
        return true;
      } catch (error) {
        reporter.warn(`The agent on VM '${cid}' did not answer (${messageOf(error)}); deleting the VM without stopping its jobs.`);
        return new Skipped("agent not answering");
      }
    });
    if (ready instanceof Skipped) return;
    await stopJobs(reporter, agent, options.instanceName, options.skipDrain);
    for (const disk of await agent.listDisk()) {
      await reporter.step(`Unmounting disk '${disk}'`, () => agent.unmountDisk(disk));
    }
  } finally {
    await agent.close();
  }
}

export interface CreateVmInput {
  identity: InstanceIdentity;
  stemcellCid: string;
  stemcellRecordId: string;
  cloudProperties: Record<string, unknown>;
  env: Record<string, unknown>;
  tags: Record<string, string>;
  agentTimeoutMs: number;
}

/** create_vm, record at once, metadata, then wait for the agent; returns the agent client. */
export async function createVm(ctx: StageContext, input: CreateVmInput): Promise<{ cid: string; agent: AgentPort }> {
  const { reporter } = ctx;
  const agentId = randomUUID();
  const name = `${input.identity.instanceGroup}/0`;
  const cid = await reporter.step(`Creating VM for instance '${name}' from stemcell '${input.stemcellCid}'`, async () => {
    const diskCids = ctx.state.state.disks.map((d) => d.cid);
    const created = await ctx.cpi.createVm(
      {
        agentId,
        stemcellCid: input.stemcellCid,
        cloudProperties: input.cloudProperties,
        networks: input.identity.networks,
        diskCids,
        env: vmEnv(input.env, input.tags),
      },
      {
        tag: { agent_id: agentId, stemcell_id: input.stemcellRecordId },
        // Recorded before the journal lets go of the call and before anything else can fail, so the VM is never leaked.
        record: (vm) =>
          ctx.state.update((s) => {
            forgetVmFacts(s);
            s.current_vm_cid = vm.cid;
            s.current_agent_id = agentId;
          }),
      },
    );
    // A CPI that knows the VM's SSH host key (ours does) makes the very first connection check
    // it; with any other CPI that connection trusts the key it is shown, with a warning. The two
    // calls need nothing of each other: each is a CPI process, started side by side. Both end
    // before either's failure is thrown, the metadata's first, as when they ran in turn.
    const [metadata, asked] = await Promise.allSettled([
      ctx.cpi.setVmMetadata(created.cid, vmMetadata(input.identity, input.tags, new Date())).catch((error: unknown) => {
        if (!isNotImplemented(error)) throw error;
      }),
      ctx.cpi.vmSshHostKey(created.cid),
    ]);
    if (metadata.status === "rejected") throw metadata.reason;
    if (asked.status === "rejected") throw asked.reason;
    const hostKey = asked.value;
    const fingerprint = hostKey === undefined ? undefined : publicKeyFingerprint(hostKey);
    await ctx.state.update((s) => {
      s.current_stemcell_id = input.stemcellRecordId;
      if (fingerprint === undefined) delete s.current_vm_ssh_host_key;
      else s.current_vm_ssh_host_key = fingerprint;
    });
    return created.cid;
  });

  const agent = ctx.connectAgent();
  try {
    await reporter.step(`Waiting for the agent on VM '${cid}' to be ready`, () =>
      agent.waitUntilReady({ timeoutMs: input.agentTimeoutMs, intervalMs: 500 }),
    );
    // The CPI's key, or the one trusted on first use: pinned from now on, later runs refuse
    // another SSH server at this address.
    const hostKey = agent.sshHostKey();
    if (hostKey !== undefined) {
      await ctx.state.update((s) => {
        s.current_vm_ssh_host_key = hostKey;
      });
    }
  } catch (error) {
    await agent.close();
    throw error;
  }
  return { cid, agent };
}
