/**
 * Starts our agent as a real process for tests (agent's own tests and the agent client's):
 * writes settings + agent.json into a base dir, generates a CA and a server certificate for the
 * given IP, runs `unshare --mount node --import tsx src/local/agent/main.ts -b <dir> -C <agent.json>`
 * and waits until `ping` answers over HTTPS with that CA.
 *
 * The settings file lives at `<base>/bosh/warden-cpi-agent-env.json` and agent.json names it by
 * its in-VM path `/var/vcap/bosh/...`, exactly like the local stemcell: the agent maps it under its
 * base dir. The agent listens on `0.0.0.0:<port>` in its settings, i.e. on the default network's IP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateMbusCertificates, type MbusCertificates } from "./certs.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const AGENT_MAIN = join(REPO_ROOT, "src/local/agent/main.ts");

export interface StartAgentOptions {
  /** 127.x.y.z address of the "VM" (default network IP); the agent listens there. */
  ip: string;
  port?: number;
  user?: string;
  password?: string;
  /** Reuse a base dir (e.g. to restart an agent on the same VM); it is then not removed by stop(). */
  baseDir?: string;
  /** Shallow-merged over the generated settings object (agent_id, mbus, networks, disks, env...). */
  settings?: Record<string, unknown>;
  /** Reuse certificates (e.g. across a restart); generated for `ip` otherwise. */
  certificates?: MbusCertificates;
  readyTimeoutMs?: number;
}

export interface StartedAgent {
  /** mbus URL with credentials as a client dials it: https://user:pw@ip:port */
  url: string;
  caCert: string;
  certificates: MbusCertificates;
  user: string;
  password: string;
  baseDir: string;
  settingsPath: string;
  agentId: string;
  pid: number;
  /** stdout+stderr of the agent process so far. */
  output(): string;
  /** SIGTERM (the agent stops its jobs), SIGKILL after 10 s; removes the base dir if we made it. */
  stop(): Promise<void>;
}

export async function startAgent(options: StartAgentOptions): Promise<StartedAgent> {
  const port = options.port ?? 6868;
  const user = options.user ?? "mbus";
  const password = options.password ?? randomBytes(12).toString("hex");
  const ownsBaseDir = options.baseDir === undefined;
  const baseDir = options.baseDir ?? (await mkdtemp(join(tmpdir(), "agent-test-")));
  const certificates = options.certificates ?? (await generateMbusCertificates(options.ip));
  const agentId = `agent-${randomBytes(4).toString("hex")}`;

  await mkdir(join(baseDir, "bosh"), { recursive: true });
  const settingsPath = join(baseDir, "bosh", "warden-cpi-agent-env.json");
  const settings = {
    agent_id: agentId,
    vm: { name: `vm-${agentId}` },
    mbus: `https://${user}:${password}@0.0.0.0:${port}`,
    blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/micro_bosh/data/cache" } },
    ntp: [],
    networks: {
      default: { type: "manual", ip: options.ip, netmask: "255.0.0.0", gateway: "127.0.0.1", default: ["dns", "gateway"], dns: [], cloud_properties: {} },
    },
    disks: { system: "", ephemeral: "", persistent: {} },
    env: { bosh: { mbus: { cert: { ca: certificates.ca, certificate: certificates.certificate, private_key: certificates.privateKey } } } },
    ...options.settings,
  };
  await writeFile(settingsPath, JSON.stringify(settings, null, 2), { mode: 0o600 });
  const agentJson = join(baseDir, "bosh", "agent.json");
  await writeFile(
    agentJson,
    JSON.stringify({ Infrastructure: { Settings: { Sources: [{ Type: "File", SettingsPath: "/var/vcap/bosh/warden-cpi-agent-env.json" }] } } }),
  );

  const child = spawn("unshare", ["--mount", "node", "--import", "tsx", AGENT_MAIN, "-b", baseDir, "-C", agentJson], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));

  const url = `https://${user}:${password}@${options.ip}:${port}`;
  const stop = async (): Promise<void> => {
    await stopProcess(child, exited);
    if (ownsBaseDir) await rm(baseDir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await waitForPong(options.ip, port, user, password, certificates.ca, child, () => output, options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    caCert: certificates.ca,
    certificates,
    user,
    password,
    baseDir,
    settingsPath,
    agentId,
    pid: child.pid ?? -1,
    output: () => output,
    stop,
  };
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForPong(
  ip: string,
  port: number,
  user: string,
  password: string,
  ca: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`agent exited (${child.exitCode ?? child.signalCode}) before answering ping:\n${output()}`);
    }
    const answer = await postAgent(ip, port, user, password, ca, { method: "ping", arguments: [], reply_to: "test" }).catch(() => undefined);
    if (answer?.status === 200 && JSON.parse(answer.body).value === "pong") return;
    if (Date.now() > deadline) throw new Error(`agent did not answer ping within ${timeoutMs} ms:\n${output()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** One POST /agent with basic auth, verifying the server against `ca`. For tests. */
export function postAgent(
  ip: string,
  port: number,
  user: string,
  password: string,
  ca: string,
  body: unknown,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: ip,
        port,
        path: "/agent",
        method: "POST",
        ca,
        headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
        agent: false,
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => done({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(JSON.stringify(body));
  });
}
