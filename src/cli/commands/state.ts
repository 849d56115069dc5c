/**
 * `bootstrap state show | validate | unlock`: parse, call src/bootstrap, print. The state file is
 * named by --state or by the manifest it sits beside (bosh's `<manifest>-state.json`); no
 * variable flags, since the manifest is not evaluated.
 */
import type { Command } from "commander";
import type { StateSummary, StateTarget } from "../../bootstrap/index.js";
import type { CliIo } from "../io.js";
import { writeLine } from "../io.js";

interface StateFlags {
  state?: string;
  json?: boolean;
}

const STATE_OPTION = ["--state <PATH>", "state file (default: <manifest>-state.json next to MANIFEST)"] as const;

export function registerStateCommands(program: Command, io: CliIo): void {
  const state = program.command("state").description("look at, check and repair the state file (show, validate, unlock)");
  const target = (manifest: string | undefined, flags: StateFlags): StateTarget => ({ manifestPath: manifest, statePath: flags.state, cwd: io.cwd });

  state
    .command("show")
    .description("summarise the state file: VM, disk, stemcell, releases, last deploy and by which tool, lock holder, pinned host keys")
    .argument("[MANIFEST]", "the manifest the state file sits beside")
    .option(...STATE_OPTION)
    .option("--json", "print the summary as one JSON object")
    .action(async (manifest: string | undefined, flags: StateFlags) => {
      const { runStateShow } = await import("../../bootstrap/index.js");
      const summary = await runStateShow(target(manifest, flags));
      if (flags.json === true) writeLine(io.stdout, JSON.stringify(summary, null, 2));
      else for (const line of describeSummary(summary)) writeLine(io.stdout, line);
    });

  state
    .command("validate")
    .description("run the checks a deploy runs when it loads the state file, changing nothing (exit 1 on a problem)")
    .argument("[MANIFEST]", "the manifest the state file sits beside")
    .option(...STATE_OPTION)
    .action(async (manifest: string | undefined, flags: StateFlags) => {
      const { runStateValidate } = await import("../../bootstrap/index.js");
      const result = await runStateValidate(target(manifest, flags));
      for (const warning of result.warnings) writeLine(io.stderr, `Warning: ${warning}`);
      writeLine(io.stdout, `State file '${result.statePath}' is valid.`);
    });

  state
    .command("unlock")
    .description("remove a stale lock of the state file; only the lock with LOCK_ID, as the STATE_LOCKED error printed it")
    .argument("<LOCK_ID>", "the lock id the STATE_LOCKED error printed")
    .argument("[MANIFEST]", "the manifest the state file sits beside")
    .option(...STATE_OPTION)
    .addHelpText("after", "\nA lock whose holder still runs on this host is never removed; one on another host is, so be sure that run is gone.")
    .action(async (lockId: string, manifest: string | undefined, flags: StateFlags) => {
      const { runStateUnlock } = await import("../../bootstrap/index.js");
      const result = await runStateUnlock(target(manifest, flags), lockId);
      writeLine(io.stdout, `Removed lock ${lockId}${result.heldBy === undefined ? "" : ` held by ${result.heldBy}`} from '${result.statePath}'.`);
    });
}

function describeSummary(s: StateSummary): string[] {
  if (!s.exists) return [`No state file at '${s.statePath}': nothing is deployed with it.`, ...lockLines(s)];
  const written = s.writtenBy === "bootstrap" ? `written last by bootstrap, serial ${s.serial ?? "?"}, ${s.updatedAt ?? "?"}` : "written last by bosh-cli";
  const out = [`State file: ${s.statePath} (${written})`];
  const last = s.lastDeploy === undefined ? "" : s.lastDeploy.at === undefined ? ` by ${s.lastDeploy.by} (time not recorded)` : ` at ${s.lastDeploy.at} by ${s.lastDeploy.by}`;
  if (s.deployed) out.push(`Deployed: yes, last successful deploy${last}`);
  else out.push(`Deployed: no${s.lastDeploy === undefined ? "" : ` (a deploy after the last successful one${last} did not finish)`}`);
  if (s.vm === undefined) out.push("VM: none");
  else {
    const jobs = s.vm.jobsStoppedAt === undefined ? "jobs not stopped by 'bootstrap stop'" : `jobs stopped since ${s.vm.jobsStoppedAt} ('bootstrap start' starts them)`;
    out.push(`VM: ${s.vm.cid}${s.vm.agentId === undefined ? "" : ` (agent ${s.vm.agentId})`}, ${jobs}`);
    out.push(`  SSH host key: ${s.vm.sshHostKey ?? "not pinned"}`);
  }
  out.push(`Disk: ${s.disk === undefined ? "none" : `${s.disk.cid} (${s.disk.sizeMb} MB)`}`);
  out.push(`Stemcell: ${s.stemcell === undefined ? "none" : `${s.stemcell.name}/${s.stemcell.version} (${s.stemcell.cid})`}`);
  out.push(`Releases: ${s.releases.length === 0 ? "none" : s.releases.map((r) => `${r.name}/${r.version}`).join(", ")}`);
  for (const d of s.unusedDisks) out.push(`Unused disk: ${d.cid} (${d.sizeMb} MB)`);
  for (const st of s.unusedStemcells) out.push(`Unused stemcell: ${st.name}/${st.version} (${st.cid})`);
  for (const [hostPort, key] of Object.entries(s.jumpboxHostKeys)) out.push(`Jumpbox ${hostPort} SSH host key: ${key}`);
  out.push(...lockLines(s));
  if (s.pendingCpiCalls > 0) out.push(`CPI journal: ${s.pendingCpiCalls} call(s) of an interrupted run, adopted by the next deploy or delete`);
  for (const w of s.warnings) out.push(`Warning: ${w}`);
  return out;
}

function lockLines(s: StateSummary): string[] {
  if (s.lock === undefined) return ["Lock: none"];
  if (s.lock === "unreadable") return ["Lock: a lock file that cannot be read (the next run takes it over)"];
  const l = s.lock;
  const id = l.id === undefined ? "" : `, lock id ${l.id}`;
  const stale = l.stale ? " — that process is gone: the next run takes the lock over" : "";
  return [`Lock: held by pid ${l.pid} on ${l.host} (\`${l.command}\`, started ${l.startedAt})${id}${stale}`];
}
