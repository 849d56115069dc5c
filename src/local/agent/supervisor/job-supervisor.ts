/**
 * A small monit: supervises the processes declared by the job monit files registered under
 * `<base>/monit/job/`. `start` runs every vcap-group process's start program (dependencies
 * first) through bash and monitors it; a monitored process whose pidfile pid is gone is restarted
 * with backoff (1 s doubling to 30 s); `stop` unmonitors and runs the stop programs (dependants
 * first) and leaves `<base>/monit/stopped`, which makes job_state "stopped" until the next start.
 * Job output is the job's own business (its scripts write to /var/vcap/sys/log/<job>/).
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { messageOf, topologicalOrder, type Logger } from "../../../common/index.js";
import type { AgentPaths } from "../paths.js";
import { parseMonitFile, type MonitProcess, type MonitProgram } from "./monit-file.js";
import { readPidfile, sampleProcess, systemUptimeSeconds, ticksToSeconds } from "./process-status.js";

export type ProcessState = "running" | "starting" | "failing";
export type JobState = "running" | "starting" | "failing" | "stopped";

export interface ProcessReport {
  name: string;
  state: ProcessState;
  uptime: { secs: number };
  mem: { kb: number; percent: number };
  cpu: { total: number };
}

interface Service {
  def: MonitProcess;
  monitored: boolean;
  /** Until then a missing process counts as "starting" rather than "failing" (explicit starts only). */
  pendingUntil: number;
  /** Its start program is still running: no second launch meanwhile. */
  launching: boolean;
  failures: number;
  nextRestartAt: number;
}

const POLL_MS = 1000;
/**
 * A process counts as running once it has stayed up this long. monit only sees a process on
 * its check cycle, so a job that dies right after starting never shows as running there; here
 * a poll could otherwise land in the moment a crash-looping process is alive. Such a process
 * (started, failed on its first steps) lives 60-130 ms on a loaded 2-core machine (load 8-10),
 * so half a second keeps a margin of four; a job that fails later is for update_watch_time to
 * catch, as with monit. Every deploy waits this long for `running`, so it is kept short.
 */
const SETTLE_S = 0.5;
const MAX_BACKOFF_MS = 30_000;

export class JobSupervisor {
  private services = new Map<string, Service>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly paths: AgentPaths, private readonly logger: Logger, private readonly totalMemKb = 0) {}

  /** Re-reads every registered monit file (monit reload). Unknown processes are left alone. */
  async reload(): Promise<void> {
    const files = (await readdir(this.paths.monitJobDir).catch(() => [] as string[])).filter((f) => f.endsWith(".monitrc")).sort();
    const next = new Map<string, Service>();
    for (const file of files) {
      for (const def of parseMonitFile(await readFile(join(this.paths.monitJobDir, file), "utf8"))) {
        const old = this.services.get(def.name);
        next.set(def.name, old ? { ...old, def } : { def, monitored: false, pendingUntil: 0, launching: false, failures: 0, nextRestartAt: 0 });
      }
    }
    this.services = next;
  }

  /** At agent boot: processes registered before a restart are started again unless stopped. */
  async resume(): Promise<void> {
    await this.reload();
    if (this.services.size > 0 && !existsSync(this.paths.monitStopped)) await this.startAll();
    this.timer = setInterval(() => void this.check(), POLL_MS);
  }

  async startAll(): Promise<void> {
    for (const service of this.ordered()) {
      service.monitored = true;
      service.failures = 0;
      if (!service.launching && (await this.pidOf(service)) === undefined) this.launch(service, true);
    }
    await rm(this.paths.monitStopped, { force: true });
  }

  async stopAll(): Promise<void> {
    this.unmonitorAll();
    for (const service of this.ordered().reverse()) await this.runStop(service);
    await mkdir(join(this.paths.base, "monit"), { recursive: true });
    await writeFile(this.paths.monitStopped, "");
  }

  /** Drain unmonitors first so that the drain scripts can stop processes without restarts. */
  unmonitorAll(): void {
    for (const service of this.vcap()) service.monitored = false;
  }

  async jobState(): Promise<JobState> {
    if (existsSync(this.paths.monitStopped)) return "stopped";
    const states = (await this.processes()).map((p) => p.state);
    if (states.includes("starting")) return "starting";
    if (states.includes("failing")) return "failing";
    return "running";
  }

  async processes(): Promise<ProcessReport[]> {
    const uptime = await systemUptimeSeconds();
    const reports: ProcessReport[] = [];
    for (const service of this.vcap()) {
      const pid = await this.pidOf(service);
      const sample = pid === undefined ? undefined : await sampleProcess(pid);
      if (sample) service.pendingUntil = 0;
      const age = sample ? Math.max(0, uptime - ticksToSeconds(sample.startTicks)) : 0;
      const state: ProcessState = !service.monitored
        ? "failing"
        : sample
          ? age >= SETTLE_S
            ? "running"
            : "starting"
          : Date.now() < service.pendingUntil
            ? "starting"
            : "failing";
      const secs = Math.round(age);
      const kb = sample ? Math.round(sample.rssKb) : 0;
      const percent = this.totalMemKb > 0 ? Math.round((kb / this.totalMemKb) * 1000) / 10 : 0;
      const cpu = sample && secs > 0 ? Math.round((ticksToSeconds(sample.cpuTicks) / secs) * 1000) / 10 : 0;
      reports.push({ name: service.def.name, state, uptime: { secs }, mem: { kb, percent }, cpu: { total: cpu } });
    }
    return reports;
  }

  /** Agent shutdown: stop polling and stop the processes so that nothing outlives the agent. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unmonitorAll();
    for (const service of this.ordered().reverse()) await this.runStop(service);
  }

  private vcap(): Service[] {
    return [...this.services.values()].filter((s) => s.def.groups.includes("vcap"));
  }

  private ordered(): Service[] {
    const nodes = this.vcap().map((s) => ({ name: s.def.name, dependencies: s.def.dependsOn, service: s }));
    return topologicalOrder(nodes).map((n) => n.service);
  }

  private async pidOf(service: Service): Promise<number | undefined> {
    const pid = await readPidfile(this.paths.mapVcapPath(service.def.pidfile));
    return pid !== undefined && (await sampleProcess(pid)) !== undefined ? pid : undefined;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const service of this.ordered()) {
        if (!service.monitored) continue;
        const now = Date.now();
        if ((await this.pidOf(service)) !== undefined) {
          // Up: a later death is a failure to restart at once, not a start still pending.
          service.failures = 0;
          service.pendingUntil = 0;
          continue;
        }
        // Re-read after the await: a stop may have unmonitored it meanwhile.
        if (!service.monitored || service.launching || now < service.pendingUntil || now < service.nextRestartAt) continue;
        service.failures += 1;
        service.nextRestartAt = now + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (service.failures - 1));
        this.logger.warn(`process ${service.def.name} is not running: restarting (attempt ${service.failures})`);
        this.launch(service, false);
      }
    } catch (error) {
      this.logger.warn(`supervisor check failed: ${messageOf(error)}`);
    } finally {
      this.checking = false;
    }
  }

  /** A restart (explicit = false) leaves the state "failing" until the process is seen running. */
  private launch(service: Service, explicit: boolean): void {
    const program = service.def.start;
    if (program === undefined) return;
    if (explicit) service.pendingUntil = Date.now() + program.timeoutMs;
    service.launching = true;
    this.logger.debug(`starting process ${service.def.name}`);
    void runProgram(program, this.logger, service.def.name).done.then(() => {
      service.launching = false;
    });
  }

  private async runStop(service: Service): Promise<void> {
    const program = service.def.stop;
    if (program === undefined) return;
    // A start still in flight would leave its process behind a stop that found no pidfile.
    const deadline = Date.now() + (service.def.start?.timeoutMs ?? 0);
    while (service.launching && (await this.pidOf(service)) === undefined && Date.now() < deadline) await sleep(100);
    if ((await this.pidOf(service)) === undefined) return;
    this.logger.debug(`stopping process ${service.def.name}`);
    await runProgram(program, this.logger, service.def.name).done;
  }
}

/** Runs a start/stop program like monit: `bash -c`, detached, output discarded, timeout enforced. */
function runProgram(program: MonitProgram, logger: Logger, name: string): { done: Promise<void> } {
  const child = spawn("bash", ["-c", program.command], {
    detached: true,
    stdio: "ignore",
    cwd: "/",
    env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` },
  });
  child.unref();
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn(`program of ${name} did not finish within ${program.timeoutMs} ms`);
      resolve();
    }, program.timeoutMs);
    timer.unref();
    child.once("error", (error) => {
      logger.warn(`program of ${name} failed to run: ${messageOf(error)}`);
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      if (code !== 0) logger.warn(`program of ${name} exited with ${code}`);
      clearTimeout(timer);
      resolve();
    });
  });
  return { done };
}
