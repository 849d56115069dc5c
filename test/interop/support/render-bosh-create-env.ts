/**
 * Runs the real `bosh create-env` against the stub CPI (render-stub-cpi.ts) and a recording
 * agent on 127.0.70.x, and returns what bosh-cli rendered: the `rendered_templates_archive`
 * blob it PUT to the agent before the full `apply`, or, when rendering failed, its output.
 *
 * Each run has its own HOME (bosh-cli keeps ~/.bosh/installations there) and state file, and
 * is bounded by a timeout shorter than the test's own.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { makeCa, makeLeaf } from "../../agent-client/support/certs.js";
import { startTestAgentServer } from "../../agent-client/support/test-agent-server.js";
import { peerPath } from "./peers.js";

export const BOSH_RUN_TIMEOUT_MS = 240_000;

export interface BoshRun {
  exitCode: number;
  /** stdout and stderr interleaved, as a person would see them */
  output: string;
  /** the rendered-templates archive (gzip tar), when bosh-cli got as far as uploading it */
  archive?: Buffer;
  /** where the stub CPI copied its installed job (the cpi_dump_dir var), when it ran */
  cpiJobDir: string;
}

export interface BoshRunInput {
  workDir: string;
  manifestPath: string;
  /** the agent's (and VM's) address, in 127.0.70.0/24 */
  agentIp: string;
  /** -v NAME=VALUE flags besides the harness's own: agent_ip, mbus_url, mbus_ca, cpi_dump_dir */
  vars?: Record<string, string>;
}

export async function runBoshCreateEnv(input: BoshRunInput): Promise<BoshRun> {
  const ca = makeCa("render-interop-ca");
  const agent = await startTestAgentServer({ host: input.agentIp, leaf: makeLeaf(ca, [input.agentIp]) });
  agent.on("get_state", { sync: { job_state: "running", networks: { default: { ip: input.agentIp } } } });
  agent.on("apply", { task: null });
  agent.on("stop", { task: null });
  agent.on("run_script", { task: {} });
  agent.on("start", { sync: "started" });
  agent.on("list_disk", { sync: [] });
  try {
    const home = join(input.workDir, "home");
    mkdirSync(home, { recursive: true });
    const cpiJobDir = join(input.workDir, "cpi-job");
    const vars = { ...input.vars, agent_ip: input.agentIp, mbus_url: agent.url, mbus_ca: ca.cert, cpi_dump_dir: cpiJobDir };
    const flags = Object.entries(vars).flatMap(([name, value]) => ["-v", `${name}=${value}`]);
    const result = await execa(peerPath("bosh"), ["create-env", input.manifestPath, "--state", join(input.workDir, "state.json"), ...flags], {
      env: { HOME: home },
      cwd: input.workDir,
      reject: false,
      all: true,
      timeout: BOSH_RUN_TIMEOUT_MS,
      forceKillAfterDelay: 5_000,
    });
    const run: BoshRun = { exitCode: result.exitCode ?? -1, output: result.all ?? "", cpiJobDir };
    const blobId = renderedArchiveId(agent.requests);
    if (blobId !== undefined) run.archive = readFileSync(join(agent.blobDir, blobId));
    return run;
  } finally {
    await agent.stop();
  }
}

function renderedArchiveId(requests: { method: string; arguments: unknown[] }[]): string | undefined {
  for (const request of requests) {
    if (request.method !== "apply") continue;
    const spec = request.arguments[0] as { rendered_templates_archive?: { blobstore_id?: string } } | undefined;
    const id = spec?.rendered_templates_archive?.blobstore_id;
    if (id !== undefined && id !== "") return id;
  }
  return undefined;
}
