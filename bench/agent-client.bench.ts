/**
 * Agent client blob upload benchmarks (issue #4 item 6):
 * - throughput of uploadBlob through the SSH tunnel vs OpenSSH `scp` through the same sshd on
 *   loopback (goal: at least 70% of scp's throughput);
 * - peak RSS of a process uploading a 1 GiB blob (goal: at most 150 MB).
 * Every upload runs in its own process, as does the mbus peer, so neither shares an event loop.
 * Needs root and openssh-server (sshd), like the tunnel tests.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { makeCa, makeLeaf } from "../test/agent-client/support/certs.js";
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

function runUpload(source: string): UploadFigures {
  const out = spawnSync("node", ["--import", "tsx", "test/agent-client/support/upload-main.ts", optionsFile, source], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`upload failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}") as UploadFigures;
}

// vitest's bench runner runs no beforeAll/afterAll hooks: set up at module load, tear down
// after the last benchmark.
const dir = mkdtempSync(join(tmpdir(), "agent-client-bench-"));
const sshd = await startOpenSshServer({ host: SSH_HOST, port: SSH_PORT });
const ca = makeCa();
writeFileSync(join(dir, "leaf.json"), JSON.stringify(makeLeaf(ca, [AGENT_HOST])));
const agent = spawn("node", ["--import", "tsx", "test/agent-client/support/agent-server-main.ts", AGENT_HOST, join(dir, "leaf.json")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const stopAgent = () => agent.kill("SIGTERM");
const line = await new Promise<string>((resolve) => agent.stdout.once("data", (b: Buffer) => resolve(b.toString())));
const { url } = JSON.parse(line) as { url: string };
const optionsFile = join(dir, "options.json");
writeFileSync(optionsFile, JSON.stringify({
  mbusUrl: url, caCert: ca.cert, directorId: "bench",
  sshTunnel: { host: SSH_HOST, port: SSH_PORT, user: sshd.user, privateKey: sshd.clientKey, hostKeyFingerprint: sshd.hostKeyFingerprint },
}));
const smallFile = join(dir, "128m.bin");
const bigFile = join(dir, "1g.bin");
fileOf(smallFile, THROUGHPUT_BYTES);
fileOf(bigFile, RSS_BYTES);

async function tearDown(_task: unknown, mode?: string): Promise<void> {
  // tinybench calls teardown after the warmup phase too, even an empty one.
  if (mode !== "run") return;
  stopAgent();
  await sshd.stop();
  rmSync(dir, { recursive: true, force: true });
  const best = (name: string) => Math.max(...(figures[name] ?? [0])).toFixed(0);
  const ratios = [...(figures["ratio"] ?? [])].sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)] ?? 0;
  console.log(
    `\nupload 128 MiB x${ratios.length} interleaved: tunnel best ${best("tunnel MB/s")} MB/s, scp best ${best("scp MB/s")} MB/s; ` +
      `median pair ratio ${(100 * median).toFixed(0)}% (pairs: ${ratios.map((r) => `${(100 * r).toFixed(0)}%`).join(" ")}; goal >= 70%)`,
  );
  console.log(
    `upload 1 GiB through the tunnel: peak RSS ${best("rss MB")} MB (goal <= 150 MB; ${best("rss before upload MB")} MB of it before the upload started)\n`,
  );
}

describe("agent-client blob upload", () => {
  // The machine is shared: tunnel and scp runs alternate so both see the same load, and each
  // pair's ratio is kept; the report gives the median ratio and both best throughputs.
  bench("uploadBlob through the SSH tunnel, then scp through the same sshd (128 MiB each)", () => {
    const r = runUpload(smallFile);
    const tunnel = r.bytes / 1e6 / (r.ms / 1000);
    const started = performance.now();
    execFileSync("scp", ["-q", "-i", sshd.clientKeyPath, "-P", String(SSH_PORT), "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", smallFile, `${sshd.user}@${SSH_HOST}:${join(dir, "scp-copy.bin")}`]);
    const scp = THROUGHPUT_BYTES / 1e6 / ((performance.now() - started) / 1000);
    record("tunnel MB/s", tunnel);
    record("scp MB/s", scp);
    record("ratio", tunnel / scp);
  }, RUNS);

  bench("uploadBlob 1 GiB through the SSH tunnel: peak RSS of the uploading process", () => {
    const r = runUpload(bigFile);
    record("rss MB", r.maxRssKb / 1024);
    record("rss before upload MB", r.maxRssBeforeKb / 1024);
  }, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0, teardown: tearDown });
});
