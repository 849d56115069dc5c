import { describe, expect, it } from "vitest";
import { parseMonitFile } from "../../../src/local/agent/supervisor/monit-file.js";

describe("parseMonitFile", () => {
  it("reads the process checks BOSH jobs write", () => {
    const text = [
      "# the director and its workers",
      "check process director",
      "  with pidfile /var/vcap/sys/run/bpm/director/director.pid",
      '  start program "/var/vcap/jobs/bpm/bin/bpm start director" with timeout 60 seconds',
      '  stop program = "/var/vcap/jobs/bpm/bin/bpm stop director"',
      "  group vcap",
      "",
      "check process worker_1",
      "  with pidfile /var/vcap/sys/run/worker_1.pid",
      '  start program "/var/vcap/jobs/director/bin/worker_ctl start 1" as uid vcap and gid vcap',
      '  stop program "/var/vcap/jobs/director/bin/worker_ctl stop 1"',
      "  group vcap",
      "  depends on director, nats",
      "  if totalmem > 3000 Mb for 5 cycles then restart",
      "",
      "check file config with path /var/vcap/jobs/x/config",
      "  group vcap",
    ].join("\n");
    expect(parseMonitFile(text)).toEqual([
      {
        name: "director",
        pidfile: "/var/vcap/sys/run/bpm/director/director.pid",
        start: { command: "/var/vcap/jobs/bpm/bin/bpm start director", timeoutMs: 60_000 },
        stop: { command: "/var/vcap/jobs/bpm/bin/bpm stop director", timeoutMs: 30_000 },
        groups: ["vcap"],
        dependsOn: [],
      },
      {
        name: "worker_1",
        pidfile: "/var/vcap/sys/run/worker_1.pid",
        start: { command: "/var/vcap/jobs/director/bin/worker_ctl start 1", timeoutMs: 30_000 },
        stop: { command: "/var/vcap/jobs/director/bin/worker_ctl stop 1", timeoutMs: 30_000 },
        groups: ["vcap"],
        dependsOn: ["director", "nats"],
      },
    ]);
  });

  it("keeps quoted arguments and ignores processes without a pidfile", () => {
    const parsed = parseMonitFile('check process a\n  start program "/bin/sh -c \\"echo hi\\""\ncheck process b with pidfile /p\n');
    expect(parsed.map((p) => p.name)).toEqual(["b"]);
    expect(parseMonitFile('check process a with pidfile /p start program "/bin/sh -c \\"echo hi\\""')[0]?.start?.command).toBe('/bin/sh -c "echo hi"');
  });
});
