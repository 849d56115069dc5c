/**
 * A call in the warm helper shares libuv's thread pool with the calls running beside it (a
 * create_stemcell reading a tarball, a create_vm copying an image). A call that needs no file
 * operation of its own beyond reading the CPI config (info, and has_vm of an unknown cid) must
 * not queue behind them: it is answered while every thread of the pool is held.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCall } from "../../../src/local/cpi/call.js";
import { waitFor } from "../../../src/local/vm/process-info.js";

const dir = mkdtempSync(join(tmpdir(), "call-thread-pool-"));
const config = join(dir, "cpi.json");
writeFileSync(config, JSON.stringify({ agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, blobstore: { provider: "local" }, local: { base_dir: join(dir, "base") } }));
const fifos = Array.from({ length: Number(process.env["UV_THREADPOOL_SIZE"] ?? 4) }, (_, i) => join(dir, `held-${i}`));

/** Lets a thread blocked opening a FIFO go, once it is blocked there (ENXIO: no reader yet). */
function release(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}

describe("a CPI call while the thread pool is held", () => {
  const held: Promise<unknown>[] = [];
  afterAll(async () => {
    await waitFor(async () => fifos.every(release), 60_000, 5);
    await Promise.all(held);
  });

  it("answers info and has_vm of an unknown cid", async () => {
    // given: every thread of the pool blocked opening a FIFO that nobody writes yet
    for (const fifo of fifos) {
      execFileSync("mkfifo", [fifo]);
      held.push(readFile(fifo).catch(() => undefined));
    }
    // when
    const info = await runCall({ cpiScript: join(dir, "cpi.js"), configPath: config, request: '{"method":"info","arguments":[]}' });
    const hasVm = await runCall({ cpiScript: join(dir, "cpi.js"), configPath: config, request: '{"method":"has_vm","arguments":["vm-absent"]}' });
    // then
    expect(JSON.parse(info.stdout)).toMatchObject({ result: { api_version: 2 }, error: null });
    expect(JSON.parse(hasVm.stdout)).toEqual({ result: false, error: null, log: "" });
  });
});
