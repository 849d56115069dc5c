/**
 * Brings the VM's jobs to the manifest: initial apply (networks), render and upload the jobs,
 * compile packages, then stop → apply → pre-start → start, wait for `running` within the
 * manifest's update_watch_time, post-start and post-deploy. When the jobs do not come up the
 * error names the failing processes and carries the tail of their logs.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { x as extractTar } from "tar";
import { BootstrapError, messageOf } from "../common/index.js";
import { compilePackagesOnVm, type CompileInput } from "./compile-on-vm.js";
import { fullApplySpec, initialApplySpec, type InstanceIdentity } from "./instance-spec.js";
import type { AgentPort, AgentStateValue, StageContext } from "./ports.js";

export interface RenderedArchive {
  path: string;
  sha256: string;
  jobs: { name: string; fingerprint: string }[];
}

export interface UpdateInstanceInput {
  identity: InstanceIdentity;
  /** Renders all jobs of the instance group with the VM's address into a gzip archive. */
  renderJobs(address: string, networks: Record<string, unknown>): Promise<RenderedArchive>;
  address: string;
  compile: CompileInput;
  watchTime: { startMs: number; endMs: number };
  pollIntervalMs: number;
}

export async function updateInstance(ctx: StageContext, agent: AgentPort, input: UpdateInstanceInput): Promise<void> {
  const { reporter } = ctx;
  const name = `${input.identity.instanceGroup}/0`;
  await agent.apply(initialApplySpec(input.identity));
  const address = addressFrom(await agent.getState(), input.identity, input.address);

  const rendered = await reporter.step("Rendering job templates", () => input.renderJobs(address, input.identity.networks));

  const packages = await compilePackagesOnVm(ctx, agent, input.compile);

  await reporter.step(`Updating instance '${name}'`, async () => {
    // The agent deletes the archive blob once applied, so it is uploaded for this apply only.
    const blob = await agent.uploadBlob(rendered.path, { signal: ctx.signal });
    await agent.stop();
    const spec = fullApplySpec(input.identity, rendered.jobs, packages, { blobstoreId: blob.blobId, sha1: `sha256:${blob.sha256}` }, rendered.sha256);
    await agent.apply(spec);
    await agent.runScript("pre-start");
    await agent.start();
  });

  await reporter.step(`Waiting for instance '${name}' to be running`, () => waitUntilRunning(ctx, agent, input));
  await reporter.step(`Running the post-start scripts '${name}'`, () => agent.runScript("post-start"));
  await reporter.step(`Running the post-deploy scripts '${name}'`, () => agent.runScript("post-deploy"));
}

function addressFrom(state: AgentStateValue, identity: InstanceIdentity, fallback: string): string {
  // Dynamic networks learn their IP from the agent; static ones keep the manifest's.
  for (const [netName, net] of Object.entries(identity.networks)) {
    const type = (net as { type?: string }).type;
    if (type === "dynamic") {
      const ip = state.networks?.[netName]?.ip;
      if (ip !== undefined && ip !== "") return ip;
    }
  }
  return fallback;
}

async function waitUntilRunning(ctx: StageContext, agent: AgentPort, input: UpdateInstanceInput): Promise<void> {
  await sleep(input.watchTime.startMs, ctx.signal);
  const deadline = Date.now() + Math.max(0, input.watchTime.endMs - input.watchTime.startMs);
  let last: AgentStateValue | undefined;
  for (;;) {
    last = await agent.getState();
    if (last.job_state === "running") return;
    if (Date.now() >= deadline) break;
    await sleep(input.pollIntervalMs, ctx.signal);
  }
  const failing = (last.processes ?? []).filter((p) => p.state !== "running").map((p) => `${p.name} (${p.state})`);
  const logs = await tailJobLogs(agent, input.compile.workDir).catch((error: unknown) => [`(could not fetch job logs: ${messageOf(error)})`]);
  throw new BootstrapError(
    "JOB_NOT_RUNNING",
    `Instance '${input.identity.instanceGroup}/0' did not reach 'running' within ${Math.round(input.watchTime.endMs / 1000)} s: job state '${last.job_state}'` +
      (failing.length > 0 ? `; failing processes: ${failing.join(", ")}` : ""),
    {
      details: logs,
      hint: "Read the job logs above, fix the job's properties or release, and run deploy again (update.update_watch_time sets how long to wait).",
    },
  );
}

const TAIL_LINES = 25;

/** Fetches the job logs from the agent and returns the last lines of each non-empty log. */
async function tailJobLogs(agent: AgentPort, workDir: string): Promise<string[]> {
  const dir = await mkdtemp(join(workDir, "logs-"));
  try {
    const blob = await agent.fetchLogs("job", []);
    const archive = join(dir, "logs.tgz");
    await agent.downloadBlob(blob.blobstoreId, archive);
    const out = join(dir, "x");
    await mkdir(out);
    await extractTar({ file: archive, cwd: out, strict: true });
    const lines: string[] = [];
    for (const file of await listFiles(out)) {
      const text = (await readFile(file, "utf8")).trimEnd();
      if (text === "") continue;
      lines.push(`==> ${relative(out, file)} <==`);
      lines.push(...text.split("\n").slice(-TAIL_LINES).map((l) => `    ${l}`));
    }
    return lines;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    const path = join(dir, entry);
    const s = await stat(path);
    if (s.isDirectory()) files.push(...(await listFiles(path)));
    else if (s.isFile() && entry.endsWith(".log")) files.push(path);
  }
  return files;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
