/**
 * Whether `unshare <args> true` works on this host. Each probe starts a process (tens of ms on
 * a busy machine, blocking the warm helper's event loop), and create_vm asks twice, so a
 * success is remembered for as long as what it depends on stays as it was: this process's
 * user, PATH (which unshare) and the kernel's user-namespace switches, read again on every
 * probe. Failures are never remembered: they are probed again, and reported afresh, each time.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export type ProbeAnswer = "works" | "fails" | "cannot-start";

/** The sysctls that turn user namespaces on or off while the machine runs. */
const NAMESPACE_SWITCHES = [
  "/proc/sys/user/max_user_namespaces",
  "/proc/sys/kernel/unprivileged_userns_clone",
  "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
];

/** Remembers successful answers per argument list until `conditions()` says something else. */
export class ProbeCache {
  private conditionsSeen: string | undefined;
  private readonly working = new Set<string>();

  constructor(
    private readonly conditions: () => string,
    private readonly probe: (args: string[]) => ProbeAnswer,
  ) {}

  answer(args: string[]): ProbeAnswer {
    const now = this.conditions();
    if (now !== this.conditionsSeen) {
      this.conditionsSeen = now;
      this.working.clear();
    }
    const key = args.join("\0");
    if (this.working.has(key)) return "works";
    const answer = this.probe(args);
    if (answer === "works") this.working.add(key);
    return answer;
  }
}

function hostConditions(): string {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "-";
    }
  };
  return [process.getuid?.() ?? "", process.env["PATH"] ?? "", ...NAMESPACE_SWITCHES.map(read)].join("\0");
}

function runUnshare(args: string[]): ProbeAnswer {
  const result = spawnSync("unshare", [...args, "true"], { stdio: "ignore", timeout: 10_000 });
  return result.error !== undefined ? "cannot-start" : result.status === 0 ? "works" : "fails";
}

const probes = new ProbeCache(hostConditions, runUnshare);

export function probeUnshare(args: string[]): ProbeAnswer {
  return probes.answer(args);
}
