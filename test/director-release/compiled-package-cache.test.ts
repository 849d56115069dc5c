import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { compiledPackageKeyId, openCompiledPackageCache, type CompiledPackageKey } from "../../src/director-release/index.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "compiled-cache-"));
});

const key: CompiledPackageKey = {
  stemcellOs: "ubuntu-jammy",
  stemcellVersion: "1.100",
  name: "ruby",
  fingerprint: "fp-ruby",
  dependencies: [
    { name: "yaml", fingerprint: "fp-yaml" },
    { name: "openssl", fingerprint: "fp-ssl" },
  ],
};

describe("compiled-package cache", () => {
  it("returns what was put, from a later instance too, with its sha1", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const dir = join(root, "cache");
    const stored = await openCompiledPackageCache(dir).put(key, src, "sha256:abc");
    expect(stored.path.startsWith(dir)).toBe(true);
    const hit = await openCompiledPackageCache(dir).get({ ...key, dependencies: [...key.dependencies].reverse() });
    expect(hit).toEqual(stored);
    expect(readFileSync(hit?.path ?? "", "utf8")).toBe("compiled bytes");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it.each<[string, Partial<CompiledPackageKey>]>([
    ["stemcell OS", { stemcellOs: "ubuntu-noble" }],
    ["stemcell version", { stemcellVersion: "1.101" }],
    ["fingerprint", { fingerprint: "fp-other" }],
    ["a dependency's fingerprint", { dependencies: [{ name: "yaml", fingerprint: "fp-yaml-2" }, { name: "openssl", fingerprint: "fp-ssl" }] }],
    ["the dependency set", { dependencies: [{ name: "yaml", fingerprint: "fp-yaml" }] }],
  ])("misses when the %s differs", async (_what, change) => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "x");
    const cache = openCompiledPackageCache(join(root, "cache"));
    await cache.put(key, src, "abc");
    expect(await cache.get({ ...key, ...change })).toBeUndefined();
    expect(compiledPackageKeyId({ ...key, ...change })).not.toBe(compiledPackageKeyId(key));
  });

  it("treats a blob damaged after storing as a miss", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const cache = openCompiledPackageCache(join(root, "cache"));
    const stored = await cache.put(key, src, "abc");
    appendFileSync(stored.path, "garbage");
    expect(await cache.get(key)).toBeUndefined();
  });
});
