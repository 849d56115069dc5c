/**
 * Agent client blob upload benchmarks (issue #4 item 6):
 * - throughput of uploadBlob through the SSH tunnel vs OpenSSH `scp` through the same sshd on
 *   loopback (goal: at least 70% of scp's throughput);
 * - peak RSS of a process uploading a 1 GiB blob (goal: at most 150 MB).
 * The peer is the real local agent (src/local/agent) as its own process; every upload runs in a
 * fresh process too, so its peak RSS is its own.
 * Needs root and openssh-server (sshd), like the tunnel tests.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { startAgent } from "../test/local/agent/support/start-agent.js";
import { startOpenSshServer } from "../test/agent-client/support/openssh-server.js";

const SSH_HOST = "127.0.50.60";
const SSH_PORT = 2260;
const AGENT_HOST = "127.0.50.61";
const THROUGHPUT_BYTES = 128 * 1024 * 1024;
const RSS_BYTES = 1024 * 1024 * 1024;
const RUNS = { iterations: 5, time: 0, warmupIterations: 0, warmupTime: 0 };

const figures: Record<string, number[]> = {};

function fileOf(path: string, bytes: number): void {
  const chunk = execFileSync("head", ["-c", String(1024 * 1024), "/dev/urandom"]);
  const parts: Buffer[] = [];
  for (let i = 0; i < 64; i++) parts.push(chunk);
  const block = Buffer.concat(parts);
  writeFileSync(path, "");
  for (let written = 0; written < bytes; written += block.length) writeFileSync(path, block, { flag: "a" });
}

function record(name: string, value: number): void {
  (figures[name] ??= []).push(value);
}

interface UploadFigures {
  ms: number;
  bytes: number;
  maxRssKb: number;
  maxRssBeforeKb: number;
}

// Children run asynchronously: a blocked event loop makes vitest's worker RPC time out.
const run = promisify(execFile);

async function runUpload(source: string): Promise<UploadFigures> {
  const { stdout } = await run("node", ["--import", "tsx", "test/agent-client/support/upload-main.ts", optionsFile, source]);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as UploadFigures;
}

// vitest's bench runner runs no beforeAll/afterAll hooks: set up at module load, tear down
// after the last benchmark.
const dir = mkdtempSync(join(tmpdir(), "agent-client-bench-"));
const sshd = await startOpenSshServer({ host: SSH_HOST, port: SSH_PORT });
const agent = await startAgent({ ip: AGENT_HOST });
const optionsFile = join(dir, "options.json");
writeFileSync(optionsFile, JSON.stringify({
  mbusUrl: agent.url, caCert: agent.caCert, directorId: "bench",
  sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: sshd.user, privateKey: sshd.clientKey, hostKeyFingerprint: sshd.hostKeyFingerprint },
}));
const smallFile = join(dir, "128m.bin");
const bigFile = join(dir, "1g.bin");
fileOf(smallFile, THROUGHPUT_BYTES);
fileOf(bigFile, RSS_BYTES);

// tinybench calls teardown after the warmup phase too, even an empty one, and does not await it:
// so everything here is synchronous (the stops below send their signals before their first await).
function tearDown(_task: unknown, mode?: string): void {
  if (mode !== "run") return;
  const best = (name: string) => Math.max(...(figures[name] ?? [0])).toFixed(0);
  const ratios = [...(figures["ratio"] ?? [])].sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)] ?? 0;
  console.log(
    `\nupload 128 MiB x${ratios.length} interleaved: tunnel best ${best("tunnel MB/s")} MB/s, scp best ${best("scp MB/s")} MB/s; ` +
      `median pair ratio ${(100 * median).toFixed(0)}% (pairs: ${ratios.map((r) => `${(100 * r).toFixed(0)}%`).join(" ")}; goal >= 70%)`,
  );
  console.log(
    `upload 1 GiB through the tunnel: peak RSS ${best("rss MB")} MB (goal <= 150 MB; ${best("rss before upload MB")} MB of it before the upload started)\n`,
  );
  void agent.stop();
  void sshd.stop();
  rmSync(sshd.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}

describe("agent-client blob upload", () => {
  // The machine is shared: tunnel and scp runs alternate so both see the same load, and each
  // pair's ratio is kept; the report gives the median ratio and both best throughputs.
  bench("uploadBlob through the SSH tunnel, then scp through the same sshd (128 MiB each)", async () => {
    const r = await runUpload(smallFile);
    const tunnel = r.bytes / 1e6 / (r.ms / 1000);
    const started = performance.now();
    await run("scp", ["-q", "-i", sshd.clientKeyPath, "-P", String(SSH_PORT), "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", smallFile, `${sshd.user}@${SSH_HOST}:${join(dir, "scp-copy.bin")}`]);
    const scp = THROUGHPUT_BYTES / 1e6 / ((performance.now() - started) / 1000);
    record("tunnel MB/s", tunnel);
    record("scp MB/s", scp);
    record("ratio", tunnel / scp);
  }, RUNS);

  bench("uploadBlob 1 GiB through the SSH tunnel: peak RSS of the uploading process", async () => {
    const r = await runUpload(bigFile);
    record("rss MB", r.maxRssKb / 1024);
    record("rss before upload MB", r.maxRssBeforeKb / 1024);
  }, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0, teardown: tearDown });
});
