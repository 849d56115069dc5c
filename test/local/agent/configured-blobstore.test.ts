// Where our agent keeps what it makes, as the upstream agent does: in the configured local
// blobstore, which GET /blobs serves only when it is data/blobs (or bosh-deployment's
// /var/vcap/micro_bosh/data/cache, mapped there). IP 127.0.80.30.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBlob, putBlob, taskValue } from "./support/agent-rpc.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";
import { makeTarball } from "./support/tarball.js";

let agent: StartedAgent;
let work: string;

beforeAll(async () => {
  agent = await startAgent({
    ip: "127.0.80.30",
    settings: { blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/data/agent-blobstore" } } },
  });
  work = await mkdtemp(join(tmpdir(), "agent-blobstore-test-"));
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

interface Compiled { result: { blobstore_id: string; sha1: string } }

describe("a configured blobstore other than data/blobs", () => {
  it("holds compiled packages, which GET /blobs does not serve but later compiles still find", async () => {
    const baseSrc = join(work, "base.tgz");
    const base = await makeTarball(baseSrc, { packaging: 'echo base > "$BOSH_INSTALL_TARGET/base.txt"\n' });
    expect(await putBlob(agent, "base-src", baseSrc)).toBe(201);
    const compiled = (await taskValue(agent, "compile_package", ["base-src", base.sha1, "base", "1", {}])) as Compiled;

    await access(join(agent.baseDir, "data", "agent-blobstore", compiled.result.blobstore_id));
    expect(await getBlob(agent, compiled.result.blobstore_id, join(work, "fetched.tgz"))).toBe(404);

    const appSrc = join(work, "app.tgz");
    const app = await makeTarball(appSrc, { packaging: 'cp "$(dirname "$BOSH_INSTALL_TARGET")/base/base.txt" "$BOSH_INSTALL_TARGET/"\n' });
    expect(await putBlob(agent, "app-src", appSrc)).toBe(201);
    const deps = { base: { name: "base", version: "1", sha1: compiled.result.sha1, blobstore_id: compiled.result.blobstore_id } };
    const appCompiled = (await taskValue(agent, "compile_package", ["app-src", app.sha1, "app", "1", deps])) as Compiled;
    expect(appCompiled.result.sha1).toMatch(/^[0-9a-f]{40}$/);
  });

  it("holds fetch_logs tarballs there too", async () => {
    const logs = (await taskValue(agent, "fetch_logs", ["agent", []])) as { blobstore_id: string };
    await access(join(agent.baseDir, "data", "agent-blobstore", logs.blobstore_id));
    expect(await getBlob(agent, logs.blobstore_id, join(work, "logs.tgz"))).toBe(404);
  });
});
