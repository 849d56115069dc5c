/**
 * Compilation on the VM with fake ports: the compiled-package cache is filled when the agent
 * serves the compiled blobs, and when it does not (the upstream agent answers 404 where its
 * blobstore is not /var/vcap/data/blobs) the deploy goes on with the blobs left on the VM,
 * saying so once.
 */
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BlobNotFoundError } from "../../src/agent-client/index.js";
import { compilePackagesOnVm, type CompileInput, type PackageSource } from "../../src/bootstrap/compile-on-vm.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { silentLogger } from "../../src/common/index.js";
import { emptyState, FakeAgent, FakeCpi, FakeState } from "./fakes.js";

const COMPILED = Buffer.from("compiled bytes");
const COMPILED_SHA1 = createHash("sha1").update(COMPILED).digest("hex");

class BlobAgent extends FakeAgent {
  downloads: string[] = [];
  constructor(private readonly serve: "all" | "none") {
    super();
  }
  override async compilePackage(a: { name: string }) {
    this.calls.push(`compile_package ${a.name}`);
    return { blobstoreId: `compiled-${a.name}`, sha1: COMPILED_SHA1 };
  }
  override async downloadBlob(blobId: string, dest: string) {
    this.downloads.push(blobId);
    if (this.serve === "none") throw new BlobNotFoundError(blobId);
    await writeFile(dest, COMPILED);
    return { sha1: COMPILED_SHA1, sha256: "", size: COMPILED.length };
  }
}

async function compile(agent: BlobAgent, put: CompileInput["cache"]["put"] = async () => undefined) {
  const events: BootstrapEvent[] = [];
  const ctx: StageContext = {
    reporter: new Reporter({ emit: (e) => events.push(e) }),
    logger: silentLogger,
    signal: new AbortController().signal,
    state: new FakeState(emptyState()),
    cpi: new FakeCpi(),
    connectAgent: () => agent,
  };
  const pkg = (name: string, dependencies: string[]): PackageSource => ({
    name,
    fingerprint: `fp-${name}`,
    sha1: "a".repeat(40),
    archiveSha256: "b".repeat(64),
    dependencies,
    archivePath: `/src/${name}.tgz`,
    compiled: false,
  });
  const puts: string[] = [];
  const refs = await compilePackagesOnVm(ctx, agent, {
    packages: [pkg("base", []), pkg("app", ["base"]), pkg("tool", [])],
    stemcell: { os: "local", version: "1" },
    cache: {
      get: async () => undefined,
      put: async (key, path, sha1) => {
        puts.push(key.name);
        return put(key, path, sha1);
      },
    },
    workDir: await mkdtemp(join(tmpdir(), "compile-test-")),
  });
  const warnings = events.filter((e): e is { type: "warning"; message: string } => e.type === "warning").map((e) => e.message);
  return { refs, puts, warnings };
}

describe("compiling on the VM", () => {
  it("keeps every compiled package in the local cache when the agent serves its blobs", async () => {
    const { refs, puts, warnings } = await compile(new BlobAgent("all"));
    expect(puts.sort()).toEqual(["app", "base", "tool"]);
    expect(warnings).toEqual([]);
    expect(refs.map((r) => r.blobstore_id)).toEqual(["compiled-base", "compiled-app", "compiled-tool"]);
  });

  it("deploys from the blobs left on the VM when the agent answers 404, and says why once", async () => {
    const agent = new BlobAgent("none");
    const { refs, puts, warnings } = await compile(agent);
    expect(refs.map((r) => [r.name, r.blobstore_id, r.sha1])).toEqual([
      ["base", "compiled-base", COMPILED_SHA1],
      ["app", "compiled-app", COMPILED_SHA1],
      ["tool", "compiled-tool", COMPILED_SHA1],
    ]);
    expect(agent.calls.filter((c) => c.startsWith("compile_package"))).toHaveLength(3);
    expect(puts).toEqual([]);
    // The first 404 tells: later packages are not tried (the one compiled alongside may have been).
    expect(agent.downloads).not.toContain("compiled-app");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not kept in the local cache.*GET answered 404.*micro_bosh\/data\/cache.*stay on the VM/);
  });

  it("a cache that cannot be written is a warning, not a failed deploy", async () => {
    const { refs, warnings } = await compile(new BlobAgent("all"), async () => {
      throw new Error("ENOSPC: no space left on device");
    });
    expect(refs).toHaveLength(3);
    expect(warnings).toEqual([expect.stringContaining("ENOSPC")]);
  });
});
