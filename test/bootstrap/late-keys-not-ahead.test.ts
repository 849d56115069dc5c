/**
 * The keys started ahead (key-pool.ts) on a first deploy are the early variables' only: a late
 * key started with them would take a core from what the CPI and the VM wait for. The key
 * pool's entry is replaced by a recorder; the keys themselves are still made. (Not in the unit
 * layer: its workers share modules across files, so a module mock there is not this file's alone.)
 */
import { readFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadBootstrapManifest } from "../../src/manifest/index.js";

const ahead: string[][] = [];

vi.mock("../../src/manifest/generators/rsa-keys.js", async (original) => {
  const actual = await original<typeof import("../../src/manifest/generators/rsa-keys.js")>();
  return { ...actual, generateKeysAhead: (definitions: readonly { name?: string }[]) => ahead.push(definitions.map((d) => d.name ?? "")) };
});

describe("a first deploy's keys started ahead", () => {
  it("are the early variables', not the late ones'", async () => {
    // given
    const dir = await mkdtemp(join(tmpdir(), "late-keys-"));
    await writeFile(join(dir, "local.yml"), await readFile(join(__dirname, "../../examples/manifests/local.yml"), "utf8"));
    // when
    const loaded = await loadBootstrapManifest({ manifestPath: "local.yml", opsFiles: [], varFlags: { vars: { director_name: "k" }, varsStore: "creds.yml" }, env: {}, cwd: dir, generation: "write", deferLate: true });
    await loaded.late?.complete;
    // then
    expect(loaded.late?.names).toEqual(["director_ssl"]);
    expect(ahead.flat()).toEqual(expect.arrayContaining(["default_ca", "mbus_bootstrap_ssl", "ssh_tunnel_key"]));
    expect(ahead.flat()).not.toContain("director_ssl");
  });
});
