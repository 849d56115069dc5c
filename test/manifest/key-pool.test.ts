/** KeyPool and keySizesFor: keys start together, each is taken once, by its size. */
import type { KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyPool, keySizesFor } from "../../src/manifest/generators/key-pool.js";
import type { RsaKeyPair } from "../../src/manifest/generators/rsa-keys.js";

/** A generator whose keys finish only when the test says so; each key is named by its order. */
function fakeGenerator() {
  const started: { bits: number; finish: () => void; key: RsaKeyPair }[] = [];
  const generate = (bits: number): Promise<RsaKeyPair> =>
    new Promise((resolve) => {
      const key = { privateKey: { bits, n: started.length } as unknown as KeyObject, publicKey: {} as KeyObject };
      started.push({ bits, key, finish: () => resolve(key) });
    });
  return { started, generate };
}

describe("KeyPool", () => {
  it("starts as many keys as it may at once, the next as one ends, and hands each out once, by size, in order", async () => {
    const { started, generate } = fakeGenerator();
    const pool = new KeyPool(generate, 2);
    pool.ahead([3072, 2048, 3072]);
    // Two run side by side before any variable asks; the third waits for one of them.
    expect(started.map((s) => s.bits)).toEqual([3072, 2048]);
    started[1]?.finish();
    expect(await pool.take(2048)).toBe(started[1]?.key);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started.map((s) => s.bits)).toEqual([3072, 2048, 3072]);
    started[0]?.finish();
    started[2]?.finish();
    const first = pool.take(3072);
    const second = pool.take(3072);
    expect(await first).toBe(started[0]?.key);
    expect(await second).toBe(started[2]?.key);
    expect(started).toHaveLength(3);
    // None waits any more: the next one is generated when asked for.
    const more = pool.take(3072);
    expect(started).toHaveLength(4);
    started[3]?.finish();
    expect(await more).toBe(started[3]?.key);
  });

  it("starts no queued key after the signal: the variables see its reason, the keys being made end", async () => {
    const { started, generate } = fakeGenerator();
    const pool = new KeyPool(generate, 1);
    const controller = new AbortController();
    pool.ahead([2048, 2048, 2048], controller.signal);
    const reason = new Error("Interrupted by SIGINT");
    controller.abort(reason);
    started[0]?.finish();
    await expect(pool.take(2048)).resolves.toBe(started[0]?.key);
    await expect(pool.take(2048)).rejects.toBe(reason);
    await expect(pool.take(2048)).rejects.toBe(reason);
    expect(started).toHaveLength(1);
  });

  it("fails the variable that takes a key whose generation failed, and no other", async () => {
    let calls = 0;
    const pool = new KeyPool((bits) => (++calls === 1 ? Promise.reject(new Error("no entropy")) : Promise.resolve({ privateKey: { bits } as unknown as KeyObject, publicKey: {} as KeyObject })), 2);
    pool.ahead([2048, 2048]);
    await expect(pool.take(2048)).rejects.toThrow("no entropy");
    await expect(pool.take(2048)).resolves.toMatchObject({ privateKey: { bits: 2048 } });
  });
});

describe("keySizesFor", () => {
  it.each([
    ["a password", [{ type: "password" }], []],
    ["an ssh and an rsa key", [{ type: "ssh" }, { type: "rsa", options: null }], [2048, 2048]],
    ["a certificate without key_length", [{ type: "certificate", options: { is_ca: true } }], [3072]],
    ["a certificate with key_length 0 or null", [{ type: "certificate", options: { ca: "root", key_length: 0 } }, { type: "certificate", options: { ca: "root", key_length: null } }], [3072, 3072]],
    ["certificates with allowed key lengths", [{ type: "certificate", options: { ca: "root", key_length: 2048 } }, { type: "certificate", options: { is_ca: true, key_length: 4096 } }], [2048, 4096]],
    ["a key length the generator refuses, or one a variable gives", [{ type: "certificate", options: { ca: "root", key_length: 1024 } }, { type: "certificate", options: { ca: "root", key_length: "((bits))" } }], []],
    ["a leaf certificate without a CA, or with an option the generator refuses", [{ type: "certificate", options: { common_name: "no ca" } }, { type: "certificate", options: { is_ca: true, extended_key_usage: ["code_signing"] } }], []],
    ["an untyped definition", [{}], []],
  ])("%s", (_what, definitions, sizes) => {
    expect(keySizesFor(definitions)).toEqual(sizes);
  });
});
