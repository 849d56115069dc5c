/**
 * Without root, the CPI runs VMs in unprivileged user namespaces (this machine allows them):
 * the CPI runs as user nobody through setpriv. IPs 127.0.30.60-69.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "./support/fake-stemcell.js";
import { liveVmProcesses, vmRecord } from "./support/vm-processes.js";

const NOBODY = 65534;

function asNobody(script: string, config: string, request: unknown): Promise<{ result: unknown; error: unknown }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "setpriv",
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, script, config],
      // TMPDIR: the CPI keeps an unprivileged user's IP reservations there, not in the host's /tmp.
      { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dirname(config), TMPDIR: join(dirname(config), "tmp") } },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as { result: unknown; error: unknown })),
    );
    child.stdin?.end(JSON.stringify(request));
  });
}

describe("the CPI without root", () => {
  it("creates and deletes a VM in a user namespace", async () => {
    // given: files nobody can read and a base dir nobody owns, and the mount point the provider
    // asks root to make once (as root the CPI makes it itself, so whether it was there depended
    // on which test files had run before: on a fresh machine this test failed alone)
    mkdirSync("/var/vcap", { recursive: true });
    const work = mkdtempSync(join(tmpdir(), "unprivileged-"));
    execFileSync("chmod", ["0755", work]);
    cpSync(dirname(await cpiBundle()), join(work, "cpi"), { recursive: true });
    const image = join(work, "image.tgz");
    cpSync(fakeStemcellImage(), image);
    const base = join(work, "base");
    mkdirSync(base);
    chownSync(base, NOBODY, NOBODY);
    mkdirSync(join(work, "tmp"));
    chownSync(join(work, "tmp"), NOBODY, NOBODY);
    const config = join(work, "cpi.json");
    writeFileSync(config, JSON.stringify({ agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, blobstore: { provider: "local", options: {} }, local: { base_dir: base } }));
    execFileSync("chmod", ["-R", "a+rX", join(work, "cpi"), image, config]);
    const call = (method: string, args: unknown[]) => asNobody(join(work, "cpi", "cpi.js"), config, { method, arguments: args });

    // when
    const stemcell = (await call("create_stemcell", [image, {}])).result;
    const created = await call("create_vm", ["agent-n", stemcell, {}, manualNetwork("127.0.30.60"), [], {}]);
    const [vm] = created.result as [string];

    // then
    expect(created.error).toBeNull();
    const { processes } = vmRecord(base, vm);
    expect(readFileSync(`/proc/${processes.unshare.pid}/cmdline`, "utf8").split("\0")).toContain("--user");
    expect(readFileSync(`/proc/${processes.init.pid}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${NOBODY}\\b`, "m"));
    expect((await call("has_vm", [vm])).result).toBe(true);
    expect((await call("delete_vm", [vm])).error).toBeNull();
    expect(await liveVmProcesses(processes.pidNamespace)).toEqual([]);
  });
});
