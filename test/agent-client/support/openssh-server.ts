/**
 * Starts OpenSSH's sshd for a test: own config (`-f`), foreground (`-D`), a generated host key
 * and an authorized client key in a temp dir, listening on a chosen loopback IP and port.
 * Requires root (sshd's privilege separation) and openssh-server installed.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface OpenSshServer {
  host: string;
  port: number;
  user: string;
  dir: string;
  /** PEM/OpenSSH text of the authorized client key. */
  clientKey: string;
  clientKeyPath: string;
  /** A key that is not authorized. */
  strangerKey: string;
  hostKeyFingerprint: string;
  /** Kills the per-connection sshd processes: established connections drop, the listener stays. */
  dropConnections(): void;
  /** Stops (SIGSTOP) the per-connection processes: established connections go silent without closing. */
  freezeConnections(): number[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOpenSshServer(o: { host: string; port: number; extraConfig?: string[] }): Promise<OpenSshServer> {
  const dir = mkdtempSync(join(tmpdir(), "agent-client-sshd-"));
  const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, file)], { stdio: "pipe" });
  keygen("host_key");
  keygen("client_key");
  keygen("stranger_key");
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o600 });
  const config = [
    `ListenAddress ${o.host}:${o.port}`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PidFile none",
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "AllowTcpForwarding yes",
    "MaxStartups 100",
    "LogLevel VERBOSE",
    "Subsystem sftp internal-sftp",
    ...(o.extraConfig ?? []),
  ];
  writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`, { mode: 0o600 });
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const fingerprint = execFileSync("ssh-keygen", ["-lf", join(dir, "host_key.pub")], { encoding: "utf8" }).split(" ")[1] ?? "";

  let child: ChildProcess | undefined;
  const launch = async () => {
    // Otherwise a leftover server on the same address would answer in place of ours.
    if (await listening(o.host, o.port)) throw new Error(`${o.host}:${o.port} is already in use`);
    const proc = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = proc;
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`sshd exited ${proc.exitCode}: ${stderr}`);
      if (await listening(o.host, o.port)) return;
      await sleep(50);
    }
    throw new Error(`sshd did not listen on ${o.host}:${o.port}: ${stderr}`);
  };
  const halt = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    signalChildren(proc.pid, "SIGKILL");
    proc.kill("SIGTERM");
    await exited;
  };
  await launch();
  return {
    host: o.host,
    port: o.port,
    user: "root",
    dir,
    clientKey: readFileSync(join(dir, "client_key"), "utf8"),
    clientKeyPath: join(dir, "client_key"),
    strangerKey: readFileSync(join(dir, "stranger_key"), "utf8"),
    hostKeyFingerprint: fingerprint,
    dropConnections: () => void signalChildren(child?.pid, "SIGKILL"),
    freezeConnections: () => signalChildren(child?.pid, "SIGSTOP"),
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function signalChildren(pid: number | undefined, signal: NodeJS.Signals): number[] {
  if (pid === undefined) return [];
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  for (const child of children) {
    try {
      process.kill(child, signal);
    } catch {
      // already gone
    }
  }
  return children;
}

/** Whether anything accepts TCP connections at host:port. */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
