import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { compiledPackageKeyId, openCompiledPackageCache, type CompiledPackageKey } from "../../src/director-release/index.js";
import { sha1Of, sha256Of } from "./release-fixtures.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "compiled-cache-"));
});

const key: CompiledPackageKey = {
  stemcellOs: "ubuntu-jammy",
  stemcellVersion: "1.100",
  name: "ruby",
  fingerprint: "fp-ruby",
  sourceSha256: "1".repeat(64),
  dependencies: [
    { name: "yaml", fingerprint: "fp-yaml", sourceSha256: "2".repeat(64) },
    { name: "openssl", fingerprint: "fp-ssl", sourceSha256: "3".repeat(64) },
  ],
};
const [yaml, openssl] = key.dependencies as [CompiledPackageKey["dependencies"][number], CompiledPackageKey["dependencies"][number]];

describe("compiled-package cache", () => {
  it("returns what was put, from a later instance too, with its sha1", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const dir = join(root, "cache");
    const stored = await openCompiledPackageCache(dir).put(key, src, `sha256:${sha256Of(src)}`);
    expect(stored.path.startsWith(dir)).toBe(true);
    const hit = await openCompiledPackageCache(dir).get({ ...key, dependencies: [...key.dependencies].reverse() });
    expect(hit).toEqual(stored);
    expect(readFileSync(hit?.path ?? "", "utf8")).toBe("compiled bytes");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("stores what a writer wrote in its place, trusting the digests it hashed on the way", async () => {
    const dir = join(root, "cache");
    const bytes = Buffer.from("downloaded bytes");
    const digests = { sha1: createHash("sha1").update(bytes).digest("hex"), sha256: createHash("sha256").update(bytes).digest("hex") };
    const stored = await openCompiledPackageCache(dir).store(key, digests.sha1, async (path, algorithms) => {
      expect(algorithms).toEqual(expect.arrayContaining(["sha1", "sha256"]));
      writeFileSync(path, bytes);
      return digests;
    });
    expect(await openCompiledPackageCache(dir).get(key)).toEqual(stored);
    expect(readFileSync(stored.path, "utf8")).toBe("downloaded bytes");
  });

  it.each([
    ["whose digest is not the expected one", { sha1: "0".repeat(40), sha256: "0".repeat(64) }, /does not have digest/],
    ["without the SHA-256 the entry records", { sha1: "" }, /sha256 was not computed/],
  ])("keeps nothing from a writer %s", async (_what, reported, message) => {
    const dir = join(root, "cache");
    const bytes = Buffer.from("downloaded bytes");
    const sha1 = createHash("sha1").update(bytes).digest("hex");
    const store = openCompiledPackageCache(dir).store(key, sha1, async (path) => {
      writeFileSync(path, bytes);
      return { ...reported, sha1: reported.sha1 || sha1 };
    });
    await expect(store).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each<[string, Partial<CompiledPackageKey>]>([
    ["stemcell OS", { stemcellOs: "ubuntu-noble" }],
    ["stemcell version", { stemcellVersion: "1.101" }],
    ["fingerprint", { fingerprint: "fp-other" }],
    ["source archive's digest", { sourceSha256: "4".repeat(64) }],
    ["a dependency's fingerprint", { dependencies: [{ ...yaml, fingerprint: "fp-yaml-2" }, openssl] }],
    ["a dependency's source archive's digest", { dependencies: [{ ...yaml, sourceSha256: "5".repeat(64) }, openssl] }],
    ["the dependency set", { dependencies: [yaml] }],
  ])("misses when the %s differs", async (_what, change) => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "x");
    const cache = openCompiledPackageCache(join(root, "cache"));
    await cache.put(key, src, sha1Of(src));
    expect(await cache.get({ ...key, ...change })).toBeUndefined();
    expect(compiledPackageKeyId({ ...key, ...change })).not.toBe(compiledPackageKeyId(key));
  });

  it("treats a blob damaged after storing as a miss", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const cache = openCompiledPackageCache(join(root, "cache"));
    const stored = await cache.put(key, src, sha1Of(src));
    appendFileSync(stored.path, "garbage");
    expect(await cache.get(key)).toBeUndefined();
  });

  it("refuses to store a blob that does not have the digest the caller expects", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const dir = join(root, "cache");
    await expect(openCompiledPackageCache(dir).put(key, src, "0".repeat(40))).rejects.toThrow(/does not have digest/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("treats a blob altered after storing (same size, other bytes) as a miss: the entry goes, with a warning", async () => {
    const src = join(root, "blob.tgz");
    writeFileSync(src, "compiled bytes");
    const warnings: string[] = [];
    const dir = join(root, "cache");
    const cache = openCompiledPackageCache(dir, (message) => warnings.push(message));
    const stored = await cache.put(key, src, sha1Of(src));
    writeFileSync(stored.path, "planted bytes!");
    expect(await cache.get(key)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/compiled package 'ruby'.*digest/i)]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
